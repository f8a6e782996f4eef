//! The one `IntoResponse` that chooses every error status. 5xx are logged
//! once here; client errors are not logged.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// An error answered to an HTTP client, with a French message.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HttpError {
    /// 400: the request is malformed.
    #[error("{0}")]
    BadRequest(String),
    /// 403: the operation is not allowed here.
    #[error("{0}")]
    Forbidden(String),
    /// 404: nothing here.
    #[error("{0}")]
    NotFound(String),
    /// 405: method not allowed.
    #[error("{0}")]
    MethodNotAllowed(String),
    /// 406: no acceptable representation.
    #[error("{0}")]
    NotAcceptable(String),
    /// 408: the request's body did not arrive in time (the connection is
    /// closed).
    #[error("{0}")]
    SlowRequest(String),
    /// 415: unsupported request body type.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// 503 with `Retry-After`: too many queries at once.
    #[error("{0}")]
    Busy(String),
    /// 504: the evaluation passed its time limit (no `Retry-After`: the same
    /// query would time out again).
    #[error("{0}")]
    Timeout(String),
    /// 500: a bug or a storage failure.
    #[error("{0}")]
    Internal(String),
}

impl HttpError {
    /// The status code of this error.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            Self::NotAcceptable(_) => StatusCode::NOT_ACCEPTABLE,
            Self::SlowRequest(_) => StatusCode::REQUEST_TIMEOUT,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Timeout(_) => StatusCode::GATEWAY_TIMEOUT,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() && !matches!(self, Self::Busy(_) | Self::Timeout(_)) {
            tracing::error!(%status, error = %self, "erreur serveur");
        }
        let mut response = (status, format!("{self}\n")).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        if matches!(self, Self::Busy(_)) {
            headers.insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
        }
        if matches!(self, Self::SlowRequest(_)) {
            headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        response
    }
}

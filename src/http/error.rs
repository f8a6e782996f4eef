//! The one `IntoResponse` that chooses every error status. 5xx are logged
//! once here; client errors are not logged.
//!
//! Every error body says what was wrong in French, then in English, as
//! plain text after the status, in the style of other SPARQL endpoints:
//!
//! ```text
//! Erreur 413 : le corps de la requête dépasse la limite de 1048576 octets…
//! Error 413 (Payload Too Large): the request body exceeds the limit of 1048576 bytes…
//! ```

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::fmt;

/// What went wrong, in French and in English.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Message {
    /// The French text (shown first).
    pub fr: String,
    /// The same in English.
    pub en: String,
}

impl Message {
    /// A message in both languages.
    pub fn new(fr: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            fr: fr.into(),
            en: en.into(),
        }
    }
}

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} / {}", self.fr, self.en)
    }
}

/// An error answered to an HTTP client.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HttpError {
    /// 400: the request is malformed.
    #[error("{0}")]
    BadRequest(Message),
    /// 401 with `WWW-Authenticate: Bearer`: no credentials, or unknown ones.
    #[error("{0}")]
    Unauthorized(Message),
    /// 403: the operation is not allowed here.
    #[error("{0}")]
    Forbidden(Message),
    /// 404: nothing here.
    #[error("{0}")]
    NotFound(Message),
    /// 405: method not allowed.
    #[error("{0}")]
    MethodNotAllowed(Message),
    /// 406: no acceptable representation.
    #[error("{0}")]
    NotAcceptable(Message),
    /// 408: the request's body did not arrive in time (the connection is
    /// closed).
    #[error("{0}")]
    SlowRequest(Message),
    /// 409: the request conflicts with the state of the resource.
    #[error("{0}")]
    Conflict(Message),
    /// 410: the resource was withdrawn.
    #[error("{0}")]
    Gone(Message),
    /// 412: `If-Match` names another version than the current one.
    #[error("{0}")]
    PreconditionFailed(Message),
    /// 428: a write without `If-Match`.
    #[error("{0}")]
    PreconditionRequired(Message),
    /// 422: the content is readable but not acceptable.
    #[error("{0}")]
    Unprocessable(Message),
    /// 429 with `Retry-After` (seconds): too many attempts.
    #[error("{0}")]
    TooManyRequests(Message, u64),
    /// 413: the request's body is over the size limit (the server reads and
    /// drops the rest, or closes the connection).
    #[error("{0}")]
    TooLarge(Message),
    /// 415: unsupported request body type.
    #[error("{0}")]
    UnsupportedMediaType(Message),
    /// 503 with `Retry-After`: too many queries at once.
    #[error("{0}")]
    Busy(Message),
    /// 504: the evaluation passed its time limit (no `Retry-After`: the same
    /// query would time out again).
    #[error("{0}")]
    Timeout(Message),
    /// 500: a bug or a storage failure.
    #[error("{0}")]
    Internal(Message),
    /// 507: the disk of the data is full; nothing was written.
    #[error("{0}")]
    InsufficientStorage(Message),
}

impl HttpError {
    /// A 500 whose cause is only worth logging: the client is told that the
    /// server failed, with the cause.
    pub fn internal(cause: impl fmt::Display) -> Self {
        Self::Internal(Message::new(
            format!("erreur interne du serveur : {cause}"),
            format!("internal server error: {cause}"),
        ))
    }

    /// A 500 for a failure of the store, or a 507 when the disk is full.
    pub fn storage(e: &crate::store::StoreError) -> Self {
        if e.is_disk_full() {
            Self::InsufficientStorage(Message::new(
                format!(
                    "le service ne peut plus écrire ses données, rien n'a été enregistré : {e}"
                ),
                "the service's disk is full: nothing was saved; try again once the operators have freed space",
            ))
        } else {
            Self::internal(e)
        }
    }

    /// The status code of this error.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Gone(_) => StatusCode::GONE,
            Self::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            Self::PreconditionRequired(_) => StatusCode::PRECONDITION_REQUIRED,
            Self::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooManyRequests(..) => StatusCode::TOO_MANY_REQUESTS,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            Self::NotAcceptable(_) => StatusCode::NOT_ACCEPTABLE,
            Self::SlowRequest(_) => StatusCode::REQUEST_TIMEOUT,
            Self::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Timeout(_) => StatusCode::GATEWAY_TIMEOUT,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            Self::InsufficientStorage(_) => StatusCode::INSUFFICIENT_STORAGE,
        }
    }

    /// The message in both languages.
    pub fn message(&self) -> &Message {
        match self {
            Self::BadRequest(m)
            | Self::Unauthorized(m)
            | Self::Conflict(m)
            | Self::Gone(m)
            | Self::PreconditionFailed(m)
            | Self::PreconditionRequired(m)
            | Self::Unprocessable(m)
            | Self::TooManyRequests(m, _)
            | Self::Forbidden(m)
            | Self::NotFound(m)
            | Self::MethodNotAllowed(m)
            | Self::NotAcceptable(m)
            | Self::SlowRequest(m)
            | Self::TooLarge(m)
            | Self::UnsupportedMediaType(m)
            | Self::Busy(m)
            | Self::Timeout(m)
            | Self::Internal(m)
            | Self::InsufficientStorage(m) => m,
        }
    }

    /// The body sent to the client: the status and the message, in French
    /// then in English.
    pub fn body(&self) -> String {
        let status = self.status();
        let Message { fr, en } = self.message();
        format!(
            "Erreur {code} : {fr}\nError {code} ({reason}): {en}\n",
            code = status.as_u16(),
            reason = status.canonical_reason().unwrap_or("Error"),
        )
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() && !matches!(self, Self::Busy(_) | Self::Timeout(_)) {
            tracing::error!(%status, error = %self.message().fr, "erreur serveur");
        }
        let mut response = (status, self.body()).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        if matches!(self, Self::Busy(_)) {
            headers.insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
        }
        if matches!(self, Self::Unauthorized(_)) {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"bibia\""),
            );
        }
        if let Self::TooManyRequests(_, secs) = &self
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            headers.insert(header::RETRY_AFTER, v);
        }
        if matches!(self, Self::SlowRequest(_)) {
            headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        response
    }
}

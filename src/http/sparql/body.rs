//! The HTTP side of an [`Answer`]: one body when the answer fits in its
//! first chunk, else a streamed body that pulls the next chunk each time the
//! connection asks for one, on the connection's thread.
//!
//! The header `X-Bibia-Max-Rows` gives the row limit on every answer; a cut
//! is told by the header `X-Bibia-Truncated: true` (answers in one chunk),
//! else by the trailer of the same name (declared in `Trailer`, sent to
//! clients that accept trailers). A failure after the response has started
//! aborts the connection, so a client never mistakes a cut answer for a
//! complete one.

use crate::query::{Answer, Chunk, Format, QueryError};
use axum::body::{Body, Bytes, HttpBody};
use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use axum::response::Response;
use http_body::Frame;
use oxigraph::io::RdfFormat;
use send_wrapper::SendWrapper;
use sparesults::QueryResultsFormat;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Header giving the row limit.
pub(crate) static MAX_ROWS: HeaderName = HeaderName::from_static("x-bibia-max-rows");
/// Header (or trailer) telling that the answer was cut at the row limit.
pub(crate) static TRUNCATED: HeaderName = HeaderName::from_static("x-bibia-truncated");

/// The media type of an answer, with a charset where clients need one.
pub(crate) fn content_type(format: Format) -> &'static str {
    match format {
        Format::Results(QueryResultsFormat::Csv) => "text/csv; charset=utf-8",
        Format::Results(QueryResultsFormat::Tsv) => "text/tab-separated-values; charset=utf-8",
        Format::Results(f) => f.media_type(),
        // Without a charset, some clients read Turtle as Latin-1.
        Format::Graph(RdfFormat::Turtle) => "text/turtle; charset=utf-8",
        Format::Graph(f) => f.media_type(),
    }
}

/// The response of an answer whose first chunk is `first`.
pub(crate) fn respond(answer: Answer, first: Chunk) -> Response {
    let format = answer.format();
    let max_rows = answer.max_rows();
    let mut response = match first {
        Chunk::Last { bytes, truncated } => {
            drop(answer);
            let mut r = Response::new(Body::from(bytes));
            r.headers_mut()
                .insert(TRUNCATED.clone(), truncated_value(truncated));
            r
        }
        Chunk::Part(bytes) => {
            answer.streaming();
            let mut r = Response::new(Body::new(ResultBody {
                first: Some(Bytes::from(bytes)),
                rest: Some(SendWrapper::new(answer)),
                trailer: None,
            }));
            r.headers_mut().insert(
                header::TRAILER,
                HeaderValue::from_static("x-bibia-truncated"),
            );
            r
        }
    };
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(format)),
    );
    headers.insert(header::VARY, HeaderValue::from_static("Accept"));
    headers.insert(MAX_ROWS.clone(), HeaderValue::from(max_rows));
    response
}

/// The streamed body: the first chunk, the next ones written on demand,
/// then the trailer.
struct ResultBody {
    first: Option<Bytes>,
    /// The evaluation, which never leaves the connection's thread; dropped
    /// (its slot given back) once complete.
    rest: Option<SendWrapper<Answer>>,
    /// Set once the answer is complete: whether it was cut.
    trailer: Option<bool>,
}

impl HttpBody for ResultBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        if let Some(first) = self.first.take() {
            return Poll::Ready(Some(Ok(Frame::data(first))));
        }
        if let Some(answer) = self.rest.as_mut() {
            return match answer.next_chunk() {
                Ok(Chunk::Part(bytes)) => Poll::Ready(Some(Ok(Frame::data(Bytes::from(bytes))))),
                Ok(Chunk::Last { bytes, truncated }) => {
                    self.rest = None;
                    if bytes.is_empty() {
                        return Poll::Ready(Some(Ok(trailers(truncated))));
                    }
                    self.trailer = Some(truncated);
                    Poll::Ready(Some(Ok(Frame::data(Bytes::from(bytes)))))
                }
                Err(e) => {
                    self.rest = None;
                    if !matches!(e, QueryError::Timeout(_)) {
                        tracing::warn!(error = %e, "réponse SPARQL interrompue en cours d'envoi");
                    }
                    Poll::Ready(Some(Err(io::Error::other(
                        "évaluation SPARQL interrompue (temps limite dépassé ?)",
                    ))))
                }
            };
        }
        Poll::Ready(self.trailer.take().map(|truncated| Ok(trailers(truncated))))
    }

    fn is_end_stream(&self) -> bool {
        self.first.is_none() && self.rest.is_none() && self.trailer.is_none()
    }
}

/// The trailer that ends a streamed answer.
fn trailers(truncated: bool) -> Frame<Bytes> {
    let mut trailers = HeaderMap::new();
    trailers.insert(TRUNCATED.clone(), truncated_value(truncated));
    Frame::trailers(trailers)
}

/// The value of `X-Bibia-Truncated`, as header or trailer.
fn truncated_value(truncated: bool) -> HeaderValue {
    HeaderValue::from_static(if truncated { "true" } else { "false" })
}

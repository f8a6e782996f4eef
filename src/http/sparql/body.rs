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
//!
//! An answer that may be cached ([`crate::query::AnswerCache`]) carries its
//! `ETag`, and its bytes are kept as they are sent; once the last chunk has
//! gone out whole, they join the cache, and the same query is then
//! answered from it ([`cached`]) or with `304` ([`not_modified`]). When
//! the request leads the evaluation others wait for, they are told once
//! the answer is kept or will not be.

use crate::query::{Answer, CacheKey, CachedAnswer, Chunk, Engine, Format, Leading, QueryError};
use axum::body::{Body, Bytes, HttpBody};
use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use axum::response::Response;
use http_body::Frame;
use oxigraph::io::RdfFormat;
use send_wrapper::SendWrapper;
use sparesults::QueryResultsFormat;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
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

/// Where the bytes of an answer being sent go once it is whole.
pub(crate) struct Keep {
    /// The engine whose cache keeps them.
    pub(crate) engine: Engine,
    /// Under which key.
    pub(crate) key: CacheKey,
    /// The evaluation others wait for, when this request leads it: over
    /// when this is dropped.
    pub(crate) lead: Option<Leading>,
}

impl Keep {
    /// Keeps the whole answer, or tells those waiting that it is too large;
    /// whether it fit.
    pub(crate) fn finish(self, bytes: Vec<u8>, truncated: bool) -> bool {
        let fits = bytes.len() <= self.engine.cache().max_answer();
        if fits {
            self.engine.cache().put(&self.key, bytes, truncated);
        } else {
            self.too_large();
        }
        fits
    }

    fn too_large(&self) {
        if let Some(lead) = &self.lead {
            lead.too_large();
        }
    }
}

/// The response of an answer whose first chunk is `first`; with `keep`,
/// the answer carries its `ETag` and joins the cache once sent whole.
pub(crate) fn respond(answer: Answer, first: Chunk, keep: Option<Keep>) -> Response {
    let format = answer.format();
    let max_rows = answer.max_rows();
    let etag = keep.as_ref().map(|k| k.key.etag.clone());
    let mut response = match first {
        Chunk::Last { bytes, truncated } => {
            drop(answer);
            if let Some(keep) = keep {
                keep.finish(bytes.clone(), truncated);
            }
            let mut r = Response::new(Body::from(bytes));
            r.headers_mut()
                .insert(TRUNCATED.clone(), truncated_value(truncated));
            r
        }
        Chunk::Part(bytes) => {
            answer.streaming();
            let tee = keep.map(|keep| Tee {
                bytes: bytes.clone(),
                max: keep.engine.cache().max_answer(),
                keep,
            });
            let mut r = Response::new(Body::new(ResultBody {
                first: Some(Bytes::from(bytes)),
                rest: Some(SendWrapper::new(answer)),
                trailer: None,
                tee,
            }));
            r.headers_mut().insert(
                header::TRAILER,
                HeaderValue::from_static("x-bibia-truncated"),
            );
            r
        }
    };
    headers(response.headers_mut(), format, max_rows, etag.as_deref());
    response
}

/// The answer kept in the cache, as it was first sent.
pub(crate) fn cached(
    hit: Arc<CachedAnswer>,
    format: Format,
    max_rows: usize,
    etag: &str,
) -> Response {
    let truncated = hit.truncated;
    let mut response = Response::new(Body::from(Bytes::from_owner(Shared(hit))));
    let h = response.headers_mut();
    h.insert(TRUNCATED.clone(), truncated_value(truncated));
    headers(h, format, max_rows, Some(etag));
    response
}

/// `304 Not Modified` for a client whose copy of the answer is current.
pub(crate) fn not_modified(etag: &str) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = axum::http::StatusCode::NOT_MODIFIED;
    let h = response.headers_mut();
    h.insert(header::VARY, HeaderValue::from_static("Accept"));
    if let Ok(tag) = HeaderValue::from_str(etag) {
        h.insert(header::ETAG, tag);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// The headers of every answer.
fn headers(h: &mut HeaderMap, format: Format, max_rows: usize, etag: Option<&str>) {
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(format)),
    );
    h.insert(header::VARY, HeaderValue::from_static("Accept"));
    h.insert(MAX_ROWS.clone(), HeaderValue::from(max_rows));
    if let Some(tag) = etag.and_then(|t| HeaderValue::from_str(t).ok()) {
        h.insert(header::ETAG, tag);
        // Kept by anyone, but asked again each time: the data may change.
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
}

/// A kept answer's bytes, sent without a copy.
struct Shared(Arc<CachedAnswer>);

impl AsRef<[u8]> for Shared {
    fn as_ref(&self) -> &[u8] {
        &self.0.bytes
    }
}

/// The bytes of a streamed answer kept as they go, up to the largest
/// answer the cache takes.
struct Tee {
    keep: Keep,
    bytes: Vec<u8>,
    max: usize,
}

impl Tee {
    /// Keeps `bytes`; `false` once the answer is too large to be cached.
    fn push(&mut self, bytes: &[u8]) -> bool {
        if self.bytes.len() + bytes.len() > self.max {
            return false;
        }
        self.bytes.extend_from_slice(bytes);
        true
    }
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
    /// The bytes sent so far, for the cache.
    tee: Option<Tee>,
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
                Ok(Chunk::Part(bytes)) => {
                    if let Some(tee) = self.tee.as_mut()
                        && !tee.push(&bytes)
                    {
                        tee.keep.too_large();
                        self.tee = None;
                    }
                    Poll::Ready(Some(Ok(Frame::data(Bytes::from(bytes)))))
                }
                Ok(Chunk::Last { bytes, truncated }) => {
                    self.rest = None;
                    if let Some(mut tee) = self.tee.take() {
                        if tee.push(&bytes) {
                            tee.keep.finish(tee.bytes, truncated);
                        } else {
                            tee.keep.too_large();
                        }
                    }
                    if bytes.is_empty() {
                        return Poll::Ready(Some(Ok(trailers(truncated))));
                    }
                    self.trailer = Some(truncated);
                    Poll::Ready(Some(Ok(Frame::data(Bytes::from(bytes)))))
                }
                Err(e) => {
                    self.rest = None;
                    self.tee = None;
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

//! `/dumps/`: the page of the downloads, and the dump files themselves
//! ([`crate::export::dumps`]), made again when the data change.
//!
//! A file is sent from disk, never held in memory, with `Content-Length`,
//! a strong `ETag` (its SHA-256), `Last-Modified`, `304` on
//! `If-None-Match` / `If-Modified-Since`, and one byte range on request
//! (`Range: bytes=…`, `206`, or `416` past the end; `If-Range` honoured), so
//! a harvester can resume a cut download. Several ranges in one request
//! are answered with the whole file, as RFC 9110 allows.
//!
//! The files are already gzipped, so they are sent as `application/gzip`
//! and never compressed again.

use super::cache::{etag_matches, whole_seconds};
use super::pages::{Basis, cached, html, not_found};
use super::{AppState, HttpError};
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use http_body::{Frame, SizeHint};
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::pin::Pin;
use std::task::{Context, Poll};

/// Bytes read from the file per frame.
const CHUNK: usize = 64 * 1024;

/// `GET /dumps/`: the downloads page.
pub(crate) async fn index(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    cached(
        &state,
        "/dumps/".to_owned(),
        &headers,
        Basis::Data,
        |made| {
            let set = state
                .dumps
                .current(made.store)
                .map_err(HttpError::internal)?;
            html(
                StatusCode::OK,
                &crate::html::downloads_page(&state.pages.site, &set),
                None,
            )
        },
    )
}

/// `GET /dumps/{name}`: one dump file, whole or one range of it.
pub(crate) async fn file(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    let store = state.engine.public();
    let Some((set, described, mut opened)) = state
        .dumps
        .open(store, &name)
        .map_err(HttpError::internal)?
    else {
        return not_found(&state, &format!("/dumps/{name}"), &headers);
    };
    let size = described.size;
    let tag = &described.sha256;
    let modified = set.modified();
    let etag = format!("\"{tag}\"");
    let last_modified = httpdate::fmt_http_date(modified);

    let not_modified = match headers.get(header::IF_NONE_MATCH) {
        Some(v) => v.to_str().is_ok_and(|v| etag_matches(v, tag)),
        None => since(&headers, header::IF_MODIFIED_SINCE)
            .is_some_and(|since| whole_seconds(modified) <= since),
    };
    let mut response = Response::builder()
        .header(header::ETAG, &etag)
        .header(header::LAST_MODIFIED, &last_modified)
        .header(header::ACCEPT_RANGES, "bytes")
        .header(header::CACHE_CONTROL, "public, no-cache")
        .header(
            header::LINK,
            format!("<{}>; rel=\"license\"", crate::catalog::LICENCE),
        );
    if not_modified {
        return Ok(response
            .status(StatusCode::NOT_MODIFIED)
            .body(Body::empty())
            .unwrap_or_default());
    }
    response = response
        .header(header::CONTENT_TYPE, crate::export::dumps::GZIP)
        .header(
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        );

    // A range applies only to the version the client already has part of.
    let if_range_holds = match headers.get(header::IF_RANGE).and_then(|v| v.to_str().ok()) {
        None => true,
        Some(v) if v.trim().starts_with('"') => v.trim() == etag,
        Some(v) => httpdate::parse_http_date(v)
            .ok()
            .is_some_and(|d| whole_seconds(d) >= whole_seconds(modified)),
    };
    let wanted = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .filter(|_| if_range_holds)
        .map_or(Wanted::Whole, |v| range(v, size));
    let (status, start, length) = match wanted {
        Wanted::Whole => (StatusCode::OK, 0, size),
        Wanted::Part(first, last) => {
            response = response.header(
                header::CONTENT_RANGE,
                format!("bytes {first}-{last}/{size}"),
            );
            (StatusCode::PARTIAL_CONTENT, first, last - first + 1)
        }
        Wanted::Unsatisfiable => {
            return Ok(response
                .status(StatusCode::RANGE_NOT_SATISFIABLE)
                .header(header::CONTENT_RANGE, format!("bytes */{size}"))
                .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
                .body(Body::from(format!(
                    "plage demandée hors du fichier ({size} octets) / requested range outside the file ({size} bytes)\n"
                )))
                .unwrap_or_default());
        }
    };
    opened
        .seek(SeekFrom::Start(start))
        .map_err(HttpError::internal)?;
    Ok(response
        .status(status)
        .header(header::CONTENT_LENGTH, HeaderValue::from(length))
        .body(Body::new(FileBody {
            file: opened,
            remaining: length,
        }))
        .unwrap_or_default())
}

/// The seconds of a date header.
fn since(headers: &HeaderMap, name: header::HeaderName) -> Option<u64> {
    let v = headers.get(name)?.to_str().ok()?;
    httpdate::parse_http_date(v).ok().map(whole_seconds)
}

/// What a `Range` header asks of a file of `size` bytes.
#[derive(Debug, PartialEq, Eq)]
enum Wanted {
    /// The whole file (no range, several ranges, or a header not
    /// understood, which RFC 9110 says to ignore).
    Whole,
    /// Bytes `first..=last`.
    Part(u64, u64),
    /// A range that starts past the end.
    Unsatisfiable,
}

fn range(value: &str, size: u64) -> Wanted {
    let Some(spec) = value.trim().strip_prefix("bytes=") else {
        return Wanted::Whole;
    };
    if spec.contains(',') {
        return Wanted::Whole;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return Wanted::Whole;
    };
    let number = |s: &str| {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u64>().ok())
            .flatten()
    };
    match (number(first), number(last), last.is_empty()) {
        // `bytes=-500`: the last 500 bytes.
        (None, Some(n), _) if first.is_empty() => {
            if n == 0 || size == 0 {
                Wanted::Unsatisfiable
            } else {
                Wanted::Part(size.saturating_sub(n), size - 1)
            }
        }
        // `bytes=100-`: from byte 100 to the end.
        (Some(a), None, true) => {
            if a >= size {
                Wanted::Unsatisfiable
            } else {
                Wanted::Part(a, size - 1)
            }
        }
        (Some(a), Some(b), _) if a <= b => {
            if a >= size {
                Wanted::Unsatisfiable
            } else {
                Wanted::Part(a, b.min(size - 1))
            }
        }
        _ => Wanted::Whole,
    }
}

/// A file sent in chunks. Each connection has its own thread, so the
/// reads may block it, as the SPARQL answers do.
struct FileBody {
    file: File,
    remaining: u64,
}

impl http_body::Body for FileBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        if self.remaining == 0 {
            return Poll::Ready(None);
        }
        let want = usize::try_from(self.remaining).unwrap_or(CHUNK).min(CHUNK);
        let mut buf = vec![0; want];
        match self.file.read(&mut buf) {
            Ok(0) => Poll::Ready(Some(Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "fichier de téléchargement plus court que prévu",
            )))),
            Ok(n) => {
                buf.truncate(n);
                self.remaining -= n as u64;
                Poll::Ready(Some(Ok(Frame::data(Bytes::from(buf)))))
            }
            Err(e) => Poll::Ready(Some(Err(e))),
        }
    }

    fn is_end_stream(&self) -> bool {
        self.remaining == 0
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining)
    }
}

#[cfg(test)]
mod tests {
    use super::{Wanted, range};

    #[test]
    fn ranges_are_read_as_rfc_9110_says() {
        assert_eq!(range("bytes=0-99", 1000), Wanted::Part(0, 99));
        assert_eq!(range("bytes=900-", 1000), Wanted::Part(900, 999));
        assert_eq!(range("bytes=-100", 1000), Wanted::Part(900, 999));
        assert_eq!(range("bytes=-5000", 1000), Wanted::Part(0, 999));
        assert_eq!(range("bytes=990-2000", 1000), Wanted::Part(990, 999));
        assert_eq!(range("bytes=1000-", 1000), Wanted::Unsatisfiable);
        assert_eq!(range("bytes=0-1,5-9", 1000), Wanted::Whole);
        assert_eq!(range("bytes=9-5", 1000), Wanted::Whole);
        assert_eq!(range("items=0-5", 1000), Wanted::Whole);
    }
}

//! Rendered pages and documents, kept per version of the data, and the
//! HTTP answer of one of them: `ETag` (one per encoding), `Last-Modified`,
//! `304` on `If-None-Match` / `If-Modified-Since`, gzip chosen from
//! `Accept-Encoding` (compressed once, when the entry is made).
//!
//! A cached answer is served without touching the store. An entry made
//! for an older version of the data is never served: the first request
//! after a write empties the cache.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::Response;
use sha2::Digest as _;
use std::collections::HashMap;
use std::io::Write as _;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::SystemTime;

/// At most this many entries; past it, the cache starts again empty
/// (simple, and a full cache is a crawler going through every page).
const MAX_ENTRIES: usize = 20_000;

/// Bodies smaller than this are not compressed.
const GZIP_FROM: usize = 512;

/// One rendered answer.
#[derive(Debug)]
pub(crate) struct Cached {
    /// Its status (200, or 404/410 for helpful error pages).
    pub(crate) status: StatusCode,
    /// `Content-Type`.
    pub(crate) content_type: HeaderValue,
    /// The body.
    pub(crate) body: axum::body::Bytes,
    /// The body, gzipped (when worth it).
    pub(crate) gzip: Option<axum::body::Bytes>,
    /// The strong validator of the identity body, without quotes.
    pub(crate) etag: String,
    /// When the data behind it last changed.
    pub(crate) modified: SystemTime,
    /// `Link` header, if any.
    pub(crate) link: Option<HeaderValue>,
    /// Other headers of a full answer (`Content-Disposition`).
    extra: Vec<(HeaderName, HeaderValue)>,
    /// The headers of every answer, made once: `ETag` of the identity
    /// body, of the gzipped one, and `Last-Modified`.
    etag_plain: HeaderValue,
    etag_gzip: HeaderValue,
    last_modified: HeaderValue,
}

impl Cached {
    /// An answer whose `ETag` is the hash of `tag_source` (the canonical
    /// form of a graph) or, when `None`, of the body itself.
    pub(crate) fn new(
        status: StatusCode,
        content_type: &'static str,
        body: Vec<u8>,
        tag_source: Option<&[u8]>,
        modified: SystemTime,
        link: Option<String>,
    ) -> Self {
        let digest = sha2::Sha256::digest(tag_source.unwrap_or(&body));
        let etag: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
        let gzip = (body.len() >= GZIP_FROM).then(|| {
            let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            let _ = enc.write_all(&body);
            axum::body::Bytes::from(enc.finish().unwrap_or_default())
        });
        let header = |s: String| HeaderValue::from_str(&s).unwrap_or(HeaderValue::from_static(""));
        Self {
            status,
            content_type: HeaderValue::from_static(content_type),
            body: body.into(),
            gzip: gzip.filter(|g| !g.is_empty()),
            etag_plain: header(format!("\"{etag}\"")),
            etag_gzip: header(format!("\"{etag}-gz\"")),
            last_modified: header(httpdate::fmt_http_date(modified)),
            etag,
            modified,
            link: link.and_then(|l| HeaderValue::from_str(&l).ok()),
            extra: Vec::new(),
        }
    }

    /// The same answer with one more header on its full (not 304)
    /// answers.
    pub(crate) fn with_header(mut self, name: HeaderName, value: &'static str) -> Self {
        self.extra.push((name, HeaderValue::from_static(value)));
        self
    }

    /// The answer to a request with these headers: 304 when the client's
    /// copy is current, else the body (gzipped when accepted).
    pub(crate) fn respond(&self, request: &HeaderMap) -> Response {
        let gzip = self.gzip.as_ref().filter(|_| accepts_gzip(request));
        let etag = match gzip {
            Some(_) => self.etag_gzip.clone(),
            None => self.etag_plain.clone(),
        };
        let not_modified = match request.get(header::IF_NONE_MATCH) {
            Some(v) => v.to_str().is_ok_and(|v| self.matches(v)),
            None => request
                .get(header::IF_MODIFIED_SINCE)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| httpdate::parse_http_date(v).ok())
                .is_some_and(|since| whole_seconds(self.modified) <= whole_seconds(since)),
        };
        let mut builder = Response::builder()
            .header(header::ETAG, etag)
            .header(header::LAST_MODIFIED, self.last_modified.clone())
            .header(header::VARY, HeaderValue::from_static("Accept-Encoding"))
            .header(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, no-cache"),
            );
        if let Some(link) = &self.link {
            builder = builder.header(header::LINK, link.clone());
        }
        if not_modified && self.status == StatusCode::OK {
            return builder
                .status(StatusCode::NOT_MODIFIED)
                .body(Body::empty())
                .unwrap_or_default();
        }
        builder = builder
            .status(self.status)
            .header(header::CONTENT_TYPE, self.content_type.clone());
        for (name, value) in &self.extra {
            builder = builder.header(name, value.clone());
        }
        match gzip {
            Some(g) => builder
                .header(header::CONTENT_ENCODING, "gzip")
                .body(Body::from(g.clone())),
            None => builder.body(Body::from(self.body.clone())),
        }
        .unwrap_or_default()
    }

    /// Whether an `If-None-Match` value names this answer (in either
    /// encoding; weak comparison, as RFC 9110 asks for this header).
    fn matches(&self, value: &str) -> bool {
        etag_matches(value, &self.etag)
    }
}

/// Whether an `If-None-Match` value names the entity tag `etag` (given
/// without quotes), in either encoding (`-gz`), by weak comparison.
pub(crate) fn etag_matches(value: &str, etag: &str) -> bool {
    value.split(',').any(|tag| {
        let tag = tag.trim();
        let tag = tag.strip_prefix("W/").unwrap_or(tag).trim_matches('"');
        tag == "*" || tag == etag || tag.strip_suffix("-gz") == Some(etag)
    })
}

/// Seconds since 1970 (HTTP dates have no finer unit).
pub(crate) fn whole_seconds(t: SystemTime) -> u64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Whether `Accept-Encoding` accepts gzip (`gzip`, `x-gzip` or `*`, with
/// a quality above 0).
fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.split(';');
            let name = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .filter_map(|q| q.trim().parse::<f32>().ok())
                .next()
                .unwrap_or(1.0);
            q > 0.0 && (name == "gzip" || name == "x-gzip" || name == "*")
        })
}

/// The cache of rendered answers, for one version of the data at a time.
#[derive(Debug, Default)]
pub(crate) struct PageCache {
    inner: RwLock<(u64, HashMap<String, Arc<Cached>>)>,
}

impl PageCache {
    /// The entry for `key` made at data version `generation`.
    pub(crate) fn get(&self, key: &str, generation: u64) -> Option<Arc<Cached>> {
        let inner = self.inner.read().unwrap_or_else(PoisonError::into_inner);
        if inner.0 != generation {
            return None;
        }
        inner.1.get(key).cloned()
    }

    /// Keeps an entry made at data version `generation`; entries of
    /// another version are dropped.
    pub(crate) fn put(&self, key: String, generation: u64, value: Arc<Cached>) {
        let mut inner = self.inner.write().unwrap_or_else(PoisonError::into_inner);
        if inner.0 != generation || inner.1.len() >= MAX_ENTRIES {
            inner.1.clear();
            inner.0 = generation;
        }
        inner.1.insert(key, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_is_chosen_only_when_accepted() {
        let mut h = HeaderMap::new();
        assert!(!accepts_gzip(&h));
        h.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_static("br, gzip;q=0.5"),
        );
        assert!(accepts_gzip(&h));
        h.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_static("gzip;q=0, deflate"),
        );
        assert!(!accepts_gzip(&h));
    }

    #[test]
    fn entries_of_an_older_version_are_never_served() {
        let cache = PageCache::default();
        let page = Arc::new(Cached::new(
            StatusCode::OK,
            "text/html; charset=utf-8",
            b"x".to_vec(),
            None,
            SystemTime::now(),
            None,
        ));
        cache.put("/".into(), 3, page);
        assert!(cache.get("/", 3).is_some());
        assert!(cache.get("/", 4).is_none());
    }
}

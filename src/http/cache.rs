//! Rendered pages and documents, kept per version of the data, and the
//! HTTP answer of one of them: `ETag` (one per encoding), `Last-Modified`,
//! `304` on `If-None-Match` / `If-Modified-Since`, gzip chosen from
//! `Accept-Encoding` (compressed once, when the entry is made).
//!
//! A cached answer is served without touching the store. Each entry says
//! what it was made from ([`Stamp`]): the data version, the version of the
//! lists' and search indexes ([`super::derived`]), both, or neither (the
//! model's documentation). An entry is served only to a request that finds
//! the same versions, so a write never leaves a stale entry in use; and a
//! write drops only the entries made from the data, not those made from
//! the indexes (they go when newer indexes are published) or from the
//! model alone.
//!
//! A page missing from the cache is made by one request at a time
//! ([`PageCache::turn`]): the others asking for it meanwhile wait, then
//! find it kept. Without that, the first seconds after a start or a write
//! had every client make the same large page (the map, the statistics)
//! at once, each slower for the others.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::Response;
use sha2::Digest as _;
use std::collections::HashMap;
use std::collections::HashSet;
use std::io::Write as _;
use std::sync::{Arc, Condvar, Mutex, PoisonError, RwLock};
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
    /// When what it was made from last changed; `None` when that is not
    /// one date (a page made from the data and from indexes that lag
    /// behind it), and then only its `ETag` validates it.
    pub(crate) modified: Option<SystemTime>,
    /// `Link` header, if any.
    pub(crate) link: Option<HeaderValue>,
    /// Other headers of a full answer (`Content-Disposition`).
    extra: Vec<(HeaderName, HeaderValue)>,
    /// The headers of every answer, made once: `ETag` of the identity
    /// body, of the gzipped one, and `Last-Modified`.
    etag_plain: HeaderValue,
    etag_gzip: HeaderValue,
    last_modified: Option<HeaderValue>,
}

impl Cached {
    /// An answer whose `ETag` is the hash of `tag_source` (the canonical
    /// form of a graph) or, when `None`, of the body itself. Undated until
    /// [`Cached::dated`].
    pub(crate) fn new(
        status: StatusCode,
        content_type: &'static str,
        body: Vec<u8>,
        tag_source: Option<&[u8]>,
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
            last_modified: None,
            etag,
            modified: None,
            link: link.and_then(|l| HeaderValue::from_str(&l).ok()),
            extra: Vec::new(),
        }
    }

    /// The same answer with its `Last-Modified` (none when `None`).
    pub(crate) fn dated(mut self, modified: Option<SystemTime>) -> Self {
        self.modified = modified;
        self.last_modified =
            modified.and_then(|m| HeaderValue::from_str(&httpdate::fmt_http_date(m)).ok());
        self
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
            None => match (self.modified, request.get(header::IF_MODIFIED_SINCE)) {
                (Some(modified), Some(since)) => since
                    .to_str()
                    .ok()
                    .and_then(|v| httpdate::parse_http_date(v).ok())
                    .is_some_and(|since| whole_seconds(modified) <= whole_seconds(since)),
                _ => false,
            },
        };
        let mut builder = Response::builder()
            .header(header::ETAG, etag)
            .header(header::VARY, HeaderValue::from_static("Accept-Encoding"))
            .header(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, no-cache"),
            );
        if let Some(modified) = &self.last_modified {
            builder = builder.header(header::LAST_MODIFIED, modified.clone());
        }
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

/// What a cached answer was made from: the version of the data
/// (`data`), that of the lists' and search indexes (`lists`), both, or
/// neither (the model's documentation, the same whatever the data).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Stamp {
    /// The data version, when the answer reads the projection.
    pub(crate) data: Option<u64>,
    /// The version the indexes were built from, when the answer reads
    /// them.
    pub(crate) lists: Option<u64>,
}

/// The entries and the newest versions seen.
#[derive(Debug, Default)]
struct Entries {
    data: u64,
    lists: u64,
    map: HashMap<String, (Stamp, Arc<Cached>)>,
}

impl Stamp {
    /// Whether it was made from a version older than `data` or `lists`.
    fn older_than(self, data: u64, lists: u64) -> bool {
        self.data.is_some_and(|d| d < data) || self.lists.is_some_and(|l| l < lists)
    }
}

/// The cache of rendered answers, each with its [`Stamp`].
#[derive(Debug, Default)]
pub(crate) struct PageCache {
    inner: RwLock<Entries>,
    /// The keys being made, and who waits for them.
    making: Mutex<HashSet<String>>,
    made: Condvar,
}

/// The turn of one request to make a page; the next one's when dropped.
pub(crate) struct Turn<'a> {
    cache: &'a PageCache,
    key: String,
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        self.cache
            .making
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.key);
        self.cache.made.notify_all();
    }
}

impl PageCache {
    /// Waits until no other request is making `key`, then takes the turn
    /// (the caller looks in the cache again: the page may be made).
    pub(crate) fn turn(&self, key: &str) -> Turn<'_> {
        let mut making = self.making.lock().unwrap_or_else(PoisonError::into_inner);
        while making.contains(key) {
            making = self
                .made
                .wait(making)
                .unwrap_or_else(PoisonError::into_inner);
        }
        making.insert(key.to_owned());
        Turn {
            cache: self,
            key: key.to_owned(),
        }
    }

    /// The entry for `key`, if it was made from the versions of `stamp`.
    pub(crate) fn get(&self, key: &str, stamp: Stamp) -> Option<Arc<Cached>> {
        let inner = self.inner.read().unwrap_or_else(PoisonError::into_inner);
        inner
            .map
            .get(key)
            .filter(|(made, _)| *made == stamp)
            .map(|(_, value)| Arc::clone(value))
    }

    /// Keeps an entry made from the versions of `stamp`. The first entry
    /// of a newer version drops the entries it outdates (the others stay);
    /// an entry already outdated is not kept.
    pub(crate) fn put(&self, key: String, stamp: Stamp, value: Arc<Cached>) {
        let mut inner = self.inner.write().unwrap_or_else(PoisonError::into_inner);
        if stamp.older_than(inner.data, inner.lists) {
            return;
        }
        let data = stamp.data.unwrap_or(inner.data);
        let lists = stamp.lists.unwrap_or(inner.lists);
        if data > inner.data || lists > inner.lists {
            inner.data = data;
            inner.lists = lists;
            inner
                .map
                .retain(|_, (made, _)| !made.older_than(data, lists));
        }
        if inner.map.len() >= MAX_ENTRIES {
            inner.map.clear();
        }
        inner.map.insert(key, (stamp, value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_is_made_by_one_request_at_a_time() {
        let cache = PageCache::default();
        let first = cache.turn("/carte");
        let other = cache.turn("/statistiques");
        let waited = std::thread::scope(|scope| {
            let second = scope.spawn(|| {
                let asked = std::time::Instant::now();
                let _turn = cache.turn("/carte");
                asked.elapsed()
            });
            std::thread::sleep(std::time::Duration::from_millis(200));
            drop(first);
            second.join().expect("thread")
        });
        assert!(
            waited >= std::time::Duration::from_millis(150),
            "the second waited for the first: {waited:?}"
        );
        drop(other);
    }

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

    fn page() -> Arc<Cached> {
        Arc::new(
            Cached::new(
                StatusCode::OK,
                "text/html; charset=utf-8",
                b"x".to_vec(),
                None,
                None,
            )
            .dated(Some(SystemTime::now())),
        )
    }

    fn stamp(data: Option<u64>, lists: Option<u64>) -> Stamp {
        Stamp { data, lists }
    }

    #[test]
    fn entries_of_an_older_version_are_never_served() {
        let cache = PageCache::default();
        cache.put("/".into(), stamp(Some(3), None), page());
        assert!(cache.get("/", stamp(Some(3), None)).is_some());
        assert!(cache.get("/", stamp(Some(4), None)).is_none());
        // Made from version 4 of the data: version 3's entries go, and a
        // late entry of version 3 is not kept.
        cache.put("/a".into(), stamp(Some(4), None), page());
        cache.put("/b".into(), stamp(Some(3), None), page());
        assert!(cache.get("/b", stamp(Some(3), None)).is_none());
        assert_eq!(cache.inner.read().expect("lock").map.len(), 1);
    }

    #[test]
    fn a_write_keeps_what_was_not_made_from_the_data() {
        let cache = PageCache::default();
        cache.put("/def".into(), stamp(None, None), page());
        cache.put("/projets".into(), stamp(None, Some(3)), page());
        cache.put("/carte".into(), stamp(Some(3), Some(3)), page());
        cache.put("/page/x".into(), stamp(Some(3), None), page());
        // A write: version 4 of the data, the indexes still at 3.
        cache.put("/page/y".into(), stamp(Some(4), None), page());
        assert!(cache.get("/def", stamp(None, None)).is_some());
        assert!(cache.get("/projets", stamp(None, Some(3))).is_some());
        assert!(cache.get("/carte", stamp(Some(4), Some(3))).is_none());
        assert!(cache.get("/page/x", stamp(Some(4), None)).is_none());
        // The indexes of version 4 are published.
        cache.put("/".into(), stamp(None, Some(4)), page());
        assert!(cache.get("/projets", stamp(None, Some(4))).is_none());
        assert!(cache.get("/def", stamp(None, None)).is_some());
        assert!(cache.get("/page/y", stamp(Some(4), None)).is_some());
    }

    #[test]
    fn an_undated_answer_is_validated_by_its_tag_only() {
        let undated = Cached::new(StatusCode::OK, "text/plain", b"x".to_vec(), None, None);
        let mut h = HeaderMap::new();
        h.insert(
            header::IF_MODIFIED_SINCE,
            HeaderValue::from_static("Sun, 06 Nov 2044 08:49:37 GMT"),
        );
        let r = undated.respond(&h);
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.headers().get(header::LAST_MODIFIED).is_none());
        h.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_str(&format!("\"{}\"", undated.etag)).expect("tag"),
        );
        assert_eq!(undated.respond(&h).status(), StatusCode::NOT_MODIFIED);
    }
}

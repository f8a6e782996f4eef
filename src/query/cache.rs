//! The cache of SPARQL answers. The data change rarely and the same
//! queries come back (the query page's examples, a notebook run again, the
//! pages' own queries): the answer to a query already answered over the
//! same version of the data is served from memory.
//!
//! - The key is the query as spargebra writes it back (so spacing and
//!   comments do not matter), the protocol's dataset and the format.
//! - An answer is kept only if the query gives the same answer every time
//!   over the same data: no `RAND`, `NOW`, `UUID`, `STRUUID` or `BNODE()`,
//!   no `SERVICE` (another endpoint's data change without us), and only if
//!   it arrived whole (an error or a stop is never kept).
//! - Entries belong to one version of the data: the first use after a
//!   write empties the cache, so an answer is never served stale.
//! - Its size is bounded (the configured budget; one answer at most an
//!   eighth of it), oldest entries dropped first.
//!
//! Each cacheable answer has an entity tag made from the data version and
//! the key, known before evaluation: a client that sends it back in
//! `If-None-Match` gets `304` without the query being run again.

use super::Format;
use sha2::Digest as _;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};

/// The largest answer kept, whatever the budget.
const MAX_ANSWER: usize = 8 * 1024 * 1024;

/// Functions whose value changes from one evaluation to the next, as
/// spargebra writes them.
const VOLATILE: [&str; 6] = ["RAND(", "NOW(", "UUID(", "STRUUID(", "BNODE(", "SERVICE"];

/// The answers kept for the current version of the data.
#[derive(Debug)]
pub struct AnswerCache {
    budget: usize,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// The version the entries belong to (its generation and when it was
    /// made, as in [`CacheKey::version`]).
    version: (u64, u128),
    entries: HashMap<String, Arc<CachedAnswer>>,
    /// Keys from the oldest.
    order: VecDeque<String>,
    bytes: usize,
}

/// A whole answer, as sent.
#[derive(Debug)]
pub struct CachedAnswer {
    /// The serialised answer.
    pub bytes: Vec<u8>,
    /// Whether it was cut at the row limit.
    pub truncated: bool,
}

/// Where the answer of one query over one version of the data is kept.
#[derive(Debug, Clone)]
pub struct CacheKey {
    key: String,
    version: (u64, u128),
    /// The entity tag of the answer (weak: the endpoint may gzip it).
    pub etag: String,
}

impl AnswerCache {
    /// A cache of at most `budget` bytes of answers (0: none kept).
    pub fn new(budget: usize) -> Self {
        Self {
            budget,
            state: Mutex::new(State::default()),
        }
    }

    /// The key of `query`'s answer over the data version `(generation,
    /// modified)`, or `None` when that answer may not be kept (no cache,
    /// or a query whose answer changes from one run to the next).
    pub fn key(
        &self,
        query: &spargebra::Query,
        dataset: Option<&oxigraph::sparql::QueryDataset>,
        format: Format,
        version: (u64, std::time::SystemTime),
    ) -> Option<CacheKey> {
        if self.budget == 0 {
            return None;
        }
        let text = query.to_string();
        if VOLATILE.iter().any(|f| text.contains(f)) {
            return None;
        }
        let key = format!("{format:?}\n{dataset:?}\n{text}");
        let modified = version
            .1
            .duration_since(std::time::SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let version = (version.0, modified);
        let mut hash = sha2::Sha256::new();
        hash.update(format!("{}-{}\n", version.0, version.1));
        hash.update(&key);
        let digest: String = hash.finalize()[..12]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Some(CacheKey {
            key,
            version,
            etag: format!("W/\"q{}-{digest}\"", version.0),
        })
    }

    /// The answer kept under `key`, if any.
    pub fn get(&self, key: &CacheKey) -> Option<Arc<CachedAnswer>> {
        let mut state = self.lock();
        state.align(key.version);
        state.entries.get(&key.key).cloned()
    }

    /// The largest answer [`AnswerCache::put`] keeps.
    pub fn max_answer(&self) -> usize {
        (self.budget / 8).min(MAX_ANSWER)
    }

    /// Keeps a whole answer under `key` (unless too large, or of a
    /// version older than the entries').
    pub fn put(&self, key: &CacheKey, bytes: Vec<u8>, truncated: bool) {
        if bytes.len() > self.max_answer() {
            return;
        }
        let mut state = self.lock();
        if key.version < state.version {
            return;
        }
        state.align(key.version);
        if state.entries.contains_key(&key.key) {
            return;
        }
        while state.bytes + bytes.len() > self.budget {
            let Some(oldest) = state.order.pop_front() else {
                break;
            };
            if let Some(gone) = state.entries.remove(&oldest) {
                state.bytes -= gone.bytes.len();
            }
        }
        state.bytes += bytes.len();
        state.order.push_back(key.key.clone());
        state
            .entries
            .insert(key.key.clone(), Arc::new(CachedAnswer { bytes, truncated }));
    }

    /// How many answers are kept, and their bytes.
    pub fn size(&self) -> (usize, usize) {
        let state = self.lock();
        (state.entries.len(), state.bytes)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl State {
    /// Empties the cache when the data have a newer version.
    fn align(&mut self, version: (u64, u128)) {
        if version > self.version {
            self.entries.clear();
            self.order.clear();
            self.bytes = 0;
            self.version = version;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sparesults::QueryResultsFormat;
    use std::time::SystemTime;

    fn query(text: &str) -> spargebra::Query {
        spargebra::SparqlParser::new()
            .parse_query(text)
            .expect("parses")
    }

    const JSON: Format = Format::Results(QueryResultsFormat::Json);

    #[test]
    fn the_same_query_written_otherwise_has_the_same_key() {
        let cache = AnswerCache::new(1 << 20);
        let now = SystemTime::now();
        let a = cache.key(&query("SELECT * WHERE { ?s ?p ?o }"), None, JSON, (1, now));
        let b = cache.key(
            &query("# un commentaire\nSELECT *\nWHERE {\n  ?s ?p ?o .\n}"),
            None,
            JSON,
            (1, now),
        );
        assert_eq!(a.expect("key").etag, b.expect("key").etag);
    }

    #[test]
    fn volatile_queries_and_a_zero_budget_are_never_kept() {
        let now = SystemTime::now();
        let cache = AnswerCache::new(1 << 20);
        for q in [
            "SELECT (RAND() AS ?r) WHERE {}",
            "SELECT (NOW() AS ?n) WHERE {}",
            "SELECT (UUID() AS ?u) WHERE {}",
            "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
        ] {
            assert!(cache.key(&query(q), None, JSON, (1, now)).is_none(), "{q}");
        }
        let off = AnswerCache::new(0);
        assert!(off.key(&query("ASK {}"), None, JSON, (1, now)).is_none());
    }

    #[test]
    fn a_new_version_of_the_data_empties_it_and_the_budget_holds() {
        let now = SystemTime::now();
        let cache = AnswerCache::new(8 * 100);
        let q = |i: usize| query(&format!("SELECT * WHERE {{ ?s ?p {i} }}"));
        for i in 0..20 {
            let key = cache.key(&q(i), None, JSON, (1, now)).expect("key");
            cache.put(&key, vec![0; 100], false);
        }
        let (n, bytes) = cache.size();
        assert!(bytes <= 800 && n == 8, "{n} answers, {bytes} bytes");
        let kept = cache.key(&q(19), None, JSON, (1, now)).expect("key");
        assert!(cache.get(&kept).is_some());
        let later = cache.key(&q(19), None, JSON, (2, now)).expect("key");
        assert_ne!(kept.etag, later.etag);
        assert!(cache.get(&later).is_none());
        assert_eq!(cache.size(), (0, 0));
        // An answer of the older version is not kept any more.
        cache.put(&kept, vec![1], false);
        assert_eq!(cache.size(), (0, 0));
    }
}

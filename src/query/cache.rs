//! The cache of SPARQL answers. The data change rarely and the same
//! queries come back (the query page's examples, a notebook run again, the
//! pages' own queries): the answer to a query already answered over the
//! same version of the data is served from memory.
//!
//! - The key is the query as spargebra writes it back (so spacing and
//!   comments do not matter), the protocol's dataset and the format. The
//!   parser names the variables and blank nodes it makes up (aggregates,
//!   the middle nodes of `a/b` paths, `[]`) at random, differently at each
//!   parse: those names are replaced in the key by their rank
//!   ([`canonical`]), so the same query finds its answer again.
//! - An answer is kept only if the query gives the same answer every time
//!   over the same data: no `RAND`, `NOW`, `UUID`, `STRUUID` or `BNODE()`,
//!   no `SERVICE` (another endpoint's data change without us), and only if
//!   it arrived whole (an error or a stop is never kept).
//! - Entries belong to one version of the data: the first use after a
//!   write empties the cache, so an answer is never served stale.
//! - Its size is bounded (the configured budget; one answer at most a
//!   quarter of it and [`MAX_ANSWER`]), oldest entries dropped first.
//!
//! Identical queries asked at once are evaluated once ([`Lookup`]): the
//! first to ask evaluates ([`Leading`]), the others wait for its answer
//! ([`Following`]) and are served from the cache once it is there. While
//! some wait, the evaluation goes on until the last of them gives up, past
//! the time limit of the one who asked first and even if that one has gone
//! away ([`Flight`], looked at by the watch): an analytical query that
//! many ask under load is answered once and kept, instead of being started
//! by each and stopped at each one's time limit. An answer too large to be
//! kept is evaluated by each asker on their own.
//!
//! Each cacheable answer has an entity tag made from the data version and
//! the key, known before evaluation: a client that sends it back in
//! `If-None-Match` gets `304` without the query being run again.

use super::Format;
use sha2::Digest as _;
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

/// The largest answer kept, whatever the budget.
const MAX_ANSWER: usize = 32 * 1024 * 1024;

/// Functions whose value changes from one evaluation to the next, as
/// spargebra writes them.
const VOLATILE: [&str; 6] = ["RAND(", "NOW(", "UUID(", "STRUUID(", "BNODE(", "SERVICE"];

/// The answers kept for the current version of the data.
#[derive(Debug)]
pub struct AnswerCache {
    budget: usize,
    state: Arc<Mutex<State>>,
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
    /// The evaluations under way that others wait for, by entity tag.
    flights: HashMap<String, Arc<Flight>>,
    /// The entity tags of answers too large to be kept, for this version.
    too_large: HashSet<String>,
}

/// What the cache has for a query.
#[derive(Debug)]
pub enum Lookup {
    /// Its answer.
    Hit(Arc<CachedAnswer>),
    /// Nothing: the caller evaluates it and keeps its answer; those who ask
    /// meanwhile wait for it.
    Lead(Leading),
    /// Another request is evaluating it: wait for its answer.
    Follow(Following),
    /// Its answer is too large to be kept: the caller evaluates it alone.
    Alone,
}

/// One evaluation that others may wait for.
#[derive(Debug)]
pub struct Flight {
    /// The latest time limit of those waiting.
    deadline: Mutex<Instant>,
    /// How many wait.
    waiting: AtomicUsize,
    /// Set once the evaluation is over, answer kept or not.
    over: tokio::sync::watch::Sender<bool>,
}

impl Flight {
    /// The latest time limit of those waiting for the evaluation.
    pub(super) fn deadline(&self) -> Instant {
        *self.deadline.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether anyone waits for the evaluation.
    pub(super) fn awaited(&self) -> bool {
        self.waiting.load(Ordering::Acquire) > 0
    }
}

/// The evaluation of a query by the first who asked for it; dropped once
/// it is over (after its answer joined the cache, or not), which lets the
/// others look again.
#[derive(Debug)]
pub struct Leading {
    flight: Arc<Flight>,
    etag: String,
    state: Arc<Mutex<State>>,
}

impl Leading {
    /// The evaluation others wait for (for the watch).
    pub fn flight(&self) -> Arc<Flight> {
        self.flight.clone()
    }

    /// Tells that the answer is too large to be kept: the next to ask
    /// evaluate it on their own instead of waiting in turn.
    pub fn too_large(&self) {
        lock(&self.state).too_large.insert(self.etag.clone());
    }
}

impl Drop for Leading {
    fn drop(&mut self) {
        let mut state = lock(&self.state);
        if state
            .flights
            .get(&self.etag)
            .is_some_and(|f| Arc::ptr_eq(f, &self.flight))
        {
            state.flights.remove(&self.etag);
        }
        drop(state);
        self.flight.over.send_replace(true);
    }
}

/// A request waiting for another's evaluation of the same query.
#[derive(Debug)]
pub struct Following {
    flight: Arc<Flight>,
    over: tokio::sync::watch::Receiver<bool>,
}

impl Following {
    /// Waits until the evaluation is over (`true`) or `deadline` passes.
    pub async fn wait(mut self, deadline: Instant) -> bool {
        tokio::time::timeout_at(deadline.into(), self.over.wait_for(|over| *over))
            .await
            .is_ok_and(|r| r.is_ok())
    }
}

impl Drop for Following {
    fn drop(&mut self) {
        self.flight.waiting.fetch_sub(1, Ordering::AcqRel);
    }
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
            state: Arc::default(),
        }
    }

    /// The key of `query` (parsed from `source`)'s answer over the data
    /// version `(generation, modified)`, or `None` when that answer may not be kept (no cache,
    /// or a query whose answer changes from one run to the next).
    pub fn key(
        &self,
        source: &str,
        query: &spargebra::Query,
        dataset: Option<&oxigraph::sparql::QueryDataset>,
        format: Format,
        version: (u64, std::time::SystemTime),
    ) -> Option<CacheKey> {
        if self.budget == 0 {
            return None;
        }
        let text = canonical(&query.to_string(), source)?;
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

    /// The answer kept under `key`, or who evaluates it: the caller
    /// (`Lead`), another request (`Follow`, whose time limit `deadline` then
    /// extends that evaluation's), or each asker alone (`Alone`).
    pub fn lookup(&self, key: &CacheKey, deadline: Instant) -> Lookup {
        let mut state = self.lock();
        state.align(key.version);
        if let Some(hit) = state.entries.get(&key.key) {
            return Lookup::Hit(hit.clone());
        }
        if state.too_large.contains(&key.etag) {
            return Lookup::Alone;
        }
        if let Some(flight) = state.flights.get(&key.etag) {
            flight.waiting.fetch_add(1, Ordering::AcqRel);
            {
                let mut latest = flight
                    .deadline
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                *latest = (*latest).max(deadline);
            }
            return Lookup::Follow(Following {
                flight: flight.clone(),
                over: flight.over.subscribe(),
            });
        }
        let flight = Arc::new(Flight {
            deadline: Mutex::new(deadline),
            waiting: AtomicUsize::new(0),
            over: tokio::sync::watch::Sender::new(false),
        });
        state.flights.insert(key.etag.clone(), flight.clone());
        Lookup::Lead(Leading {
            flight,
            etag: key.etag.clone(),
            state: self.state.clone(),
        })
    }

    /// The largest answer [`AnswerCache::put`] keeps.
    pub fn max_answer(&self) -> usize {
        (self.budget / 4).min(MAX_ANSWER)
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
        lock(&self.state)
    }
}

fn lock(state: &Mutex<State>) -> std::sync::MutexGuard<'_, State> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

/// `written` (a query as spargebra writes it) with the names the parser
/// made up replaced by `?#1`, `?#2`… in order of first appearance (a `#`
/// cannot be in a name the user wrote). A made-up name is the parser's:
/// lowercase hexadecimal of a random 128-bit number, after `?` or `_:`,
/// that does not occur in `source`. `None` when the key cannot be told
/// apart from another query's (never in practice).
fn canonical(written: &str, source: &str) -> Option<String> {
    static MADE_UP: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(\?|_:)([0-9a-f]{8,32})\b").expect("a valid expression")
    });
    if written.contains("?#") || written.contains("_:#") {
        return None;
    }
    let mut ranks: HashMap<&str, usize> = HashMap::new();
    let mut out = String::with_capacity(written.len());
    let mut last = 0;
    for found in MADE_UP.captures_iter(written) {
        let (Some(all), Some(sigil), Some(name)) = (found.get(0), found.get(1), found.get(2))
        else {
            continue;
        };
        if source.contains(name.as_str()) {
            continue;
        }
        let next = ranks.len() + 1;
        let rank = *ranks.entry(name.as_str()).or_insert(next);
        out.push_str(&written[last..all.start()]);
        out.push_str(sigil.as_str());
        out.push_str(&format!("#{rank}"));
        last = all.end();
    }
    out.push_str(&written[last..]);
    Some(out)
}

impl State {
    /// Empties the cache when the data have a newer version.
    fn align(&mut self, version: (u64, u128)) {
        if version > self.version {
            self.entries.clear();
            self.order.clear();
            self.too_large.clear();
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
        let a = cache.key(
            "",
            &query("SELECT * WHERE { ?s ?p ?o }"),
            None,
            JSON,
            (1, now),
        );
        let b = cache.key(
            "",
            &query("# un commentaire\nSELECT *\nWHERE {\n  ?s ?p ?o .\n}"),
            None,
            JSON,
            (1, now),
        );
        assert_eq!(a.expect("key").etag, b.expect("key").etag);
    }

    #[test]
    fn a_query_with_made_up_names_has_the_same_key_at_every_parse() {
        let cache = AnswerCache::new(1 << 20);
        let now = SystemTime::now();
        let key = |text: &str| {
            cache
                .key(text, &query(text), None, JSON, (1, now))
                .expect("key")
                .etag
        };
        // An aggregate, a path with a middle node and a `[]`: each parse
        // names them anew.
        let text = "SELECT ?t (COUNT(?p) AS ?n) WHERE { ?p <http://x/a>/<http://x/b> ?t ; <http://x/c> [] } GROUP BY ?t";
        assert_eq!(key(text), key(text));
        // Other names the user chose give another answer: another key.
        let renamed = text.replace("?n", "?nombre");
        assert_ne!(key(text), key(&renamed));
        // A user's name that looks made up is kept as written.
        let hex = "SELECT ?deadbeef00 ?cafe0000ff WHERE { ?deadbeef00 ?cafe0000ff [] }";
        let swapped = "SELECT ?cafe0000ff ?deadbeef00 WHERE { ?cafe0000ff ?deadbeef00 [] }";
        assert_eq!(key(hex), key(hex));
        assert_ne!(key(hex), key(swapped));
    }

    #[test]
    fn every_example_query_finds_its_answer_again() {
        let cache = AnswerCache::new(1 << 20);
        let now = SystemTime::now();
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/data/queries");
        let mut seen = 0;
        for entry in std::fs::read_dir(dir).expect("data/queries") {
            let path = entry.expect("entry").path();
            if path.extension().is_none_or(|e| e != "rq") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("readable");
            let parse = || {
                spargebra::SparqlParser::new()
                    .with_base_iri("http://localhost:8080/")
                    .expect("base")
                    .parse_query(&text)
                    .expect("parses")
            };
            let key = || {
                cache
                    .key(&text, &parse(), None, JSON, (1, now))
                    .unwrap_or_else(|| panic!("{} is not kept", path.display()))
                    .etag
            };
            assert_eq!(key(), key(), "{}", path.display());
            seen += 1;
        }
        assert!(seen >= 15, "{seen} example queries");
    }

    #[tokio::test]
    async fn the_first_asker_leads_and_the_others_wait_for_its_answer() {
        let cache = AnswerCache::new(8 * 100);
        let now = SystemTime::now();
        let soon = Instant::now() + std::time::Duration::from_secs(5);
        let key = |i: usize| {
            let text = format!("SELECT * WHERE {{ ?s ?p {i} }}");
            cache
                .key(&text, &query(&text), None, JSON, (1, now))
                .expect("key")
        };
        let Lookup::Lead(lead) = cache.lookup(&key(1), soon) else {
            panic!("the first asker leads");
        };
        let Lookup::Follow(second) =
            cache.lookup(&key(1), soon + std::time::Duration::from_secs(5))
        else {
            panic!("the second waits");
        };
        let flight = lead.flight();
        assert!(flight.awaited());
        assert!(flight.deadline() > soon, "the wait extends the evaluation");
        assert!(matches!(cache.lookup(&key(2), soon), Lookup::Lead(_)));
        cache.put(&key(1), vec![1; 10], false);
        drop(lead);
        assert!(second.wait(soon).await, "told once the answer is kept");
        assert!(!flight.awaited());
        assert!(matches!(cache.lookup(&key(1), soon), Lookup::Hit(_)));
        // Too large: each asker on their own.
        let Lookup::Lead(lead) = cache.lookup(&key(3), soon) else {
            panic!("leads");
        };
        lead.too_large();
        drop(lead);
        assert!(matches!(cache.lookup(&key(3), soon), Lookup::Alone));
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
            assert!(
                cache.key(q, &query(q), None, JSON, (1, now)).is_none(),
                "{q}"
            );
        }
        let off = AnswerCache::new(0);
        assert!(
            off.key("ASK {}", &query("ASK {}"), None, JSON, (1, now))
                .is_none()
        );
    }

    #[test]
    fn a_new_version_of_the_data_empties_it_and_the_budget_holds() {
        let now = SystemTime::now();
        let cache = AnswerCache::new(8 * 100);
        let q = |i: usize| query(&format!("SELECT * WHERE {{ ?s ?p {i} }}"));
        for i in 0..20 {
            let key = cache.key("", &q(i), None, JSON, (1, now)).expect("key");
            cache.put(&key, vec![0; 100], false);
        }
        let (n, bytes) = cache.size();
        assert!(bytes <= 800 && n == 8, "{n} answers, {bytes} bytes");
        let soon = Instant::now() + std::time::Duration::from_secs(5);
        let kept = cache.key("", &q(19), None, JSON, (1, now)).expect("key");
        assert!(matches!(cache.lookup(&kept, soon), Lookup::Hit(_)));
        let later = cache.key("", &q(19), None, JSON, (2, now)).expect("key");
        assert_ne!(kept.etag, later.etag);
        assert!(!matches!(cache.lookup(&later, soon), Lookup::Hit(_)));
        assert_eq!(cache.size(), (0, 0));
        // An answer of the older version is not kept any more.
        cache.put(&kept, vec![1], false);
        assert_eq!(cache.size(), (0, 0));
    }
}

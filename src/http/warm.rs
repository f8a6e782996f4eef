//! What a server makes ahead so that its first visitors do not wait: the
//! lists' and search indexes of the data found at start, and the answers
//! of the example queries. The query page links to those and they are what
//! visitors and notebooks run first; on a large store some take seconds.
//!
//! Once a version of the data has stood for [`STABLE`] (at once for the
//! data found at start), a thread makes its indexes (a writer has most
//! often made them already), then evaluates each example, one at a time in
//! an ordinary query slot, and keeps its answer in the cache of answers, in
//! the format a client gets by default (SPARQL JSON, Turtle for graphs). A
//! client asking meanwhile waits for that evaluation instead of starting
//! its own ([`crate::query::Lookup`]). The log tells when it is done
//! (« prêt : … ») and `/readyz` answers `200` from then on: what a load
//! balancer or a benchmark waits for.

use super::sparql::body::Keep;
use super::sparql::examples::EXAMPLES;
use crate::http::AppState;
use crate::query::{Chunk, Format, Job, Lookup, QueryError, Shape};
use oxigraph::io::RdfFormat;
use sparesults::QueryResultsFormat;
use std::time::{Duration, Instant};

/// How long a version stands before its answers are made.
const STABLE: Duration = Duration::from_secs(10);
/// How often the version is looked at.
const POLL: Duration = Duration::from_secs(1);

/// Starts the thread that makes each stable version's indexes and
/// examples' answers.
pub fn start(state: AppState) {
    let spawned = std::thread::Builder::new()
        .name("bibia-exemples".into())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(r) => r,
                Err(e) => {
                    tracing::warn!("réponses des exemples non préparées : {e}");
                    return;
                }
            };
            runtime.block_on(follow(state));
        });
    if let Err(e) = spawned {
        tracing::warn!("préparation des réponses des exemples non lancée : {e}");
    }
}

/// Makes the answers of each version that stands still, for as long as
/// the process runs.
async fn follow(state: AppState) {
    let version = |s: &AppState| {
        let v = s.engine.public().version();
        (v.generation, v.modified)
    };
    let mut made = None;
    let mut seen = version(&state);
    let mut since = Instant::now() - STABLE;
    loop {
        let now = version(&state);
        if now != seen {
            (seen, since) = (now, Instant::now());
        }
        if made != Some(seen) && since.elapsed() >= STABLE {
            let started = Instant::now();
            state.prepare_indexes();
            let indexed = started.elapsed().as_secs_f64();
            let (kept, failed) = make(&state).await;
            tracing::info!(
                "prêt : index des listes et de recherche faits en {indexed:.1} s, \
                 réponses des exemples préparées en {:.1} s : {kept} gardées{}",
                started.elapsed().as_secs_f64() - indexed,
                if failed.is_empty() {
                    String::new()
                } else {
                    format!(", sans réponse : {}", failed.join(", "))
                }
            );
            made = Some(seen);
            state
                .ready
                .store(true, std::sync::atomic::Ordering::Release);
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Evaluates every example whose answer is not kept (nor being made by a
/// client's request); returns how many answers are kept, and the examples
/// that gave none.
pub async fn make(state: &AppState) -> (usize, Vec<&'static str>) {
    let mut kept = 0;
    let mut failed = Vec::new();
    for example in EXAMPLES.iter() {
        match make_one(state, example.query).await {
            Ok(true) => kept += 1,
            Ok(false) => {}
            Err(e) => {
                tracing::debug!(example = example.id, error = %e, "exemple sans réponse");
                failed.push(example.id);
            }
        }
    }
    (kept, failed)
}

/// Makes one answer; `Ok(true)` once it is kept (by this call or before).
async fn make_one(state: &AppState, text: &str) -> Result<bool, QueryError> {
    let query = spargebra::SparqlParser::new()
        .with_base_iri(state.base.as_str())
        .map_err(|e| QueryError::Internal(e.to_string()))?
        .parse_query(text)
        .map_err(|e| QueryError::Internal(e.to_string()))?;
    let format = match query {
        spargebra::Query::Select { .. } | spargebra::Query::Ask { .. } => {
            Format::Results(QueryResultsFormat::Json)
        }
        _ => Format::Graph(RdfFormat::Turtle),
    };
    let engine = &state.engine;
    let Some(key) = engine.answer_key(text, &query, None, format) else {
        return Ok(false);
    };
    let timeout = engine.limits().timeout;
    let lead = match engine.cache().lookup(&key, Instant::now() + timeout) {
        Lookup::Hit(_) => return Ok(true),
        Lookup::Follow(_) | Lookup::Alone => return Ok(false),
        Lookup::Lead(lead) => lead,
    };
    let job = Job {
        query,
        dataset: None,
        format,
        timeout,
        planned: Shape::of(text).planned(),
    };
    let mut answer = engine.evaluate(job, None, Some(lead.flight())).await?;
    let mut bytes = Vec::new();
    let truncated = loop {
        match answer.next_chunk()? {
            Chunk::Part(part) => bytes.extend_from_slice(&part),
            Chunk::Last {
                bytes: last,
                truncated,
            } => {
                bytes.extend_from_slice(&last);
                break truncated;
            }
        }
    };
    drop(answer);
    let keep = Keep {
        engine: engine.clone(),
        key,
        lead: Some(lead),
    };
    Ok(keep.finish(bytes, truncated))
}

//! SPARQL evaluation over the public projection, for every surface that
//! queries it (the SPARQL endpoint today; entity pages, lists and the
//! catalogue next). It knows no HTTP type.
//!
//! An [`Engine`] owns what a query needs besides its text: the public
//! projection, the limits, the slots (at most `max_concurrent` queries run
//! at once; the next ones wait in a bounded queue, their wait counted in
//! their time limit), the [`watch`] that fires a query's cancellation token
//! at its time limit or when its client has gone, the [`watchdog`] rewrite
//! that makes that token stop in-memory joins too, and the `SERVICE`
//! policy ([`service`]).
//!
//! [`Engine::evaluate`] returns an [`Answer`]: the results serialised in
//! the requested [`Format`], pulled chunk by chunk on the caller's thread
//! (oxigraph's iterators are not `Send`), cut at `max_rows` and marked as
//! cut where the format allows.

mod answer;
mod cache;
mod service;
mod shape;
mod watch;
mod watchdog;

pub use answer::{Answer, Chunk};
pub use cache::{AnswerCache, CacheKey, CachedAnswer, Flight, Following, Leading, Lookup};
pub use shape::{MAX_DEPTH, MAX_ITEMS, Shape};

use crate::config::QueryLimits;
use crate::store::PublicStore;
use oxigraph::io::RdfFormat;
use oxigraph::sparql::{CancellationToken, QueryDataset};
use sparesults::QueryResultsFormat;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use watch::Watch;

/// The serialisation of an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `SELECT` and `ASK` results.
    Results(QueryResultsFormat),
    /// `CONSTRUCT` and `DESCRIBE` graphs.
    Graph(RdfFormat),
}

/// A parsed query ready to run.
#[derive(Debug)]
pub struct Job {
    /// The query.
    pub query: spargebra::Query,
    /// A dataset replacing the query's own (the SPARQL protocol's
    /// `default-graph-uri` and `named-graph-uri`).
    pub dataset: Option<QueryDataset>,
    /// The serialisation.
    pub format: Format,
    /// Time limit, waiting for a slot included (at most the engine's).
    pub timeout: Duration,
    /// Whether the planner reorders the joins ([`Shape::planned`]);
    /// otherwise the query is evaluated as written.
    pub planned: bool,
}

/// The other end of a query, which the watch looks at while it runs.
pub trait Peer: Send + Sync {
    /// Whether it has gone away (the query is then stopped).
    fn is_gone(&self) -> bool;
    /// Cuts it off: called on a streamed answer whose reader stopped
    /// reading past the time limit.
    fn cut(&self);
}

/// Why a query gave no answer, or stopped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum QueryError {
    /// Every slot is taken and the queue is full.
    #[error("trop de requêtes en cours ({max_concurrent} au plus) et file d'attente pleine")]
    QueueFull {
        /// Queries evaluated at once.
        max_concurrent: usize,
    },
    /// No slot freed up before the query's time limit.
    #[error("aucune place libérée avant le temps limite ({max_concurrent} requêtes au plus)")]
    NoSlotInTime {
        /// Queries evaluated at once.
        max_concurrent: usize,
    },
    /// The evaluation passed its time limit and was stopped.
    #[error("temps limite de {0:?} dépassé")]
    Timeout(Duration),
    /// A `SERVICE` endpoint not in the allow-list.
    #[error("SERVICE {endpoint} refusé")]
    ServiceRefused {
        /// The endpoint asked for.
        endpoint: String,
        /// The endpoints allowed (none: `SERVICE` disabled).
        allowed: Vec<String>,
    },
    /// An allowed `SERVICE` call failed.
    #[error("échec de l'appel SERVICE : {0}")]
    Service(String),
    /// The query nests too deeply or holds too many groups, patterns and
    /// operators to be parsed and planned safely ([`Shape`]).
    #[error(
        "requête trop imbriquée ou trop longue ({} niveaux de parenthèses ou d'accolades, {} groupes, motifs et opérateurs)",
        .0.depth,
        .0.items
    )]
    TooComplex(Shape),
    /// The query cannot be evaluated (unknown function…).
    #[error("requête non évaluable : {0}")]
    NotEvaluable(String),
    /// The results cannot be written in the format asked for.
    #[error("résultats impossibles à écrire dans ce format : {0}")]
    Unwritable(String),
    /// A bug or a storage failure.
    #[error("évaluation SPARQL : {0}")]
    Internal(String),
}

/// Evaluates queries over the public projection within the limits.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

struct Inner {
    public: PublicStore,
    limits: QueryLimits,
    /// One permit per query evaluated at once.
    running: Arc<Semaphore>,
    /// One permit per query evaluated or waiting: the bound of the queue.
    admitted: Arc<Semaphore>,
    watch: Watch,
    /// Answers to queries asked again over unchanged data.
    cache: AnswerCache,
}

/// The places a query holds while it runs: one among those waiting or
/// running, one among those running.
struct Slot {
    _admitted: OwnedSemaphorePermit,
    _running: OwnedSemaphorePermit,
}

impl Engine {
    /// An engine over `public`; starts the thread that watches the running
    /// queries.
    pub fn new(public: PublicStore, limits: QueryLimits) -> std::io::Result<Self> {
        Ok(Self {
            inner: Arc::new(Inner {
                public,
                running: Arc::new(Semaphore::new(limits.max_concurrent)),
                admitted: Arc::new(Semaphore::new(
                    limits.max_concurrent.saturating_add(limits.max_queued),
                )),
                cache: AnswerCache::new(limits.answer_cache),
                limits,
                watch: Watch::start()?,
            }),
        })
    }

    /// The cache of answers.
    pub fn cache(&self) -> &AnswerCache {
        &self.inner.cache
    }

    /// The key of `query`'s answer (parsed from `source`) over the data as
    /// they are now, or `None` when it may not be kept
    /// ([`AnswerCache::key`]).
    pub fn answer_key(
        &self,
        source: &str,
        query: &spargebra::Query,
        dataset: Option<&QueryDataset>,
        format: Format,
    ) -> Option<CacheKey> {
        let version = self.inner.public.version();
        self.inner.cache.key(
            source,
            query,
            dataset,
            format,
            (version.generation, version.modified),
        )
    }

    /// The limits queries run under.
    pub fn limits(&self) -> &QueryLimits {
        &self.inner.limits
    }

    /// The public projection.
    pub fn public(&self) -> &PublicStore {
        &self.inner.public
    }

    /// Checks every `SERVICE` of `query` against the allow-list, before any
    /// evaluation (a refusal is then a clear error, not a failed answer).
    pub fn check_service(&self, query: &spargebra::Query) -> Result<(), QueryError> {
        service::check(query, &self.inner.limits.service_allow)
    }

    /// Waits for a slot (until the job's time limit), starts the evaluation
    /// and writes the answer's first chunk. The answer is then pulled on the
    /// current thread; `peer`, when given, is watched so that the query
    /// stops if it goes away. With `flight`, others wait for this answer:
    /// the evaluation goes on while they do, up to the latest of their time
    /// limits, whether `peer` is gone or not.
    pub async fn evaluate(
        &self,
        job: Job,
        peer: Option<Arc<dyn Peer>>,
        flight: Option<Arc<Flight>>,
    ) -> Result<Answer, QueryError> {
        let timeout = job.timeout.min(self.inner.limits.timeout);
        let deadline = Instant::now() + timeout;
        let slot = self.slot(deadline).await?;
        let token = CancellationToken::new();
        let watched = self
            .inner
            .watch
            .watch(deadline, token.clone(), peer, flight);
        Answer::start(
            &self.inner.public,
            job,
            answer::Limits {
                max_rows: self.inner.limits.max_rows,
                timeout,
                service_allow: &self.inner.limits.service_allow,
            },
            token,
            slot,
            watched,
        )
    }

    /// Takes a query slot, waiting in the queue until `deadline` when none
    /// is free.
    async fn slot(&self, deadline: Instant) -> Result<Slot, QueryError> {
        let max_concurrent = self.inner.limits.max_concurrent;
        let admitted = self
            .inner
            .admitted
            .clone()
            .try_acquire_owned()
            .map_err(|_| QueryError::QueueFull { max_concurrent })?;
        let running = match self.inner.running.clone().try_acquire_owned() {
            Ok(p) => p,
            Err(_) => {
                tokio::time::timeout_at(deadline.into(), self.inner.running.clone().acquire_owned())
                    .await
                    .map_err(|_| QueryError::NoSlotInTime { max_concurrent })?
                    .map_err(|e| QueryError::Internal(e.to_string()))?
            }
        };
        Ok(Slot {
            _admitted: admitted,
            _running: running,
        })
    }
}

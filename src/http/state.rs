//! Shared state of the HTTP handlers: a handle on the public projection
//! (never on the full store), the base IRI and the query limits.

use super::sparql::Watch;
use crate::config::QueryLimits;
use crate::iri::BaseIri;
use crate::store::PublicStore;
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::Semaphore;

/// State cloned into every handler.
#[derive(Clone)]
pub struct AppState {
    /// The public projection.
    pub public: PublicStore,
    /// Base IRI of the deployment.
    pub base: BaseIri,
    /// SPARQL limits.
    pub limits: Arc<QueryLimits>,
    /// One permit per query evaluated at once.
    pub query_slots: Arc<Semaphore>,
    /// One permit per query evaluated or waiting for a slot: the bound of
    /// the queue.
    pub query_admissions: Arc<Semaphore>,
    /// The running queries' deadlines and clients.
    pub(crate) watch: Arc<Watch>,
    /// When the service started.
    pub started: Instant,
}

impl AppState {
    /// State over a public projection; starts the thread that watches the
    /// running queries.
    pub fn new(public: PublicStore, base: BaseIri, limits: QueryLimits) -> std::io::Result<Self> {
        Ok(Self {
            public,
            base,
            query_slots: Arc::new(Semaphore::new(limits.max_concurrent)),
            query_admissions: Arc::new(Semaphore::new(
                limits.max_concurrent.saturating_add(limits.max_queued),
            )),
            limits: Arc::new(limits),
            watch: Arc::new(Watch::start()?),
            started: Instant::now(),
        })
    }
}

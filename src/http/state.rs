//! Shared state of the HTTP handlers: the query engine over the public
//! projection (never the full store) and the base IRI.

use crate::config::QueryLimits;
use crate::iri::BaseIri;
use crate::query::Engine;
use crate::store::PublicStore;
use std::time::Instant;

/// State cloned into every handler.
#[derive(Clone)]
pub struct AppState {
    /// Queries over the public projection.
    pub engine: Engine,
    /// Base IRI of the deployment.
    pub base: BaseIri,
    /// When the service started.
    pub started: Instant,
}

impl AppState {
    /// State over a public projection; starts the thread that watches the
    /// running queries.
    pub fn new(public: PublicStore, base: BaseIri, limits: QueryLimits) -> std::io::Result<Self> {
        Ok(Self {
            engine: Engine::new(public, limits)?,
            base,
            started: Instant::now(),
        })
    }

    /// The limits of the SPARQL endpoint.
    pub fn limits(&self) -> &QueryLimits {
        self.engine.limits()
    }
}

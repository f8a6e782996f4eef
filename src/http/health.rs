//! `/healthz`: liveness, the base IRI, and on a read replica how far it
//! follows its primary. `/readyz`: readiness, `503` until the server has
//! made its indexes and the example queries' answers ([`super::warm`]), as
//! a load balancer checks before sending it visitors.

use super::AppState;
use super::HttpError;
use axum::Json;
use axum::extract::State;
use serde::Serialize;

/// Body of `/healthz`.
#[derive(Debug, Serialize)]
pub(crate) struct Health {
    status: &'static str,
    /// Whether the indexes and the examples' answers are made (`/readyz`).
    ready: bool,
    public_quads: usize,
    uptime_seconds: u64,
    /// The base IRI (a replica takes its primary's).
    base_iri: String,
    /// On a read replica: the primary it follows and how far it got.
    #[serde(skip_serializing_if = "Option::is_none")]
    replica: Option<crate::replica::Report>,
}

/// Liveness and a figure that proves the store answers.
pub(crate) async fn healthz(State(state): State<AppState>) -> Result<Json<Health>, HttpError> {
    let n = state.engine.public().len().map_err(HttpError::internal)?;
    Ok(Json(Health {
        status: "ok",
        ready: state.ready.load(std::sync::atomic::Ordering::Acquire),
        public_quads: n,
        uptime_seconds: state.started.elapsed().as_secs(),
        base_iri: state.base.as_str().to_owned(),
        replica: state.replica.as_ref().map(|r| r.report()),
    }))
}

/// `200` once the server is ready for visitors, `503` before.
pub(crate) async fn readyz(State(state): State<AppState>) -> Result<Json<Health>, HttpError> {
    if !state.ready.load(std::sync::atomic::Ordering::Acquire) {
        return Err(HttpError::Busy(super::Message::new(
            "Serveur en préparation : index des listes et de recherche, réponses des requêtes d'exemple. \
             Réessayez dans quelques secondes.",
            "Server getting ready: lists' and search indexes, answers of the example queries. \
             Retry in a few seconds.",
        )));
    }
    healthz(State(state)).await
}

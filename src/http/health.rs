//! `/healthz`: liveness, the base IRI, and on a read replica how far it
//! follows its primary.

use super::AppState;
use super::HttpError;
use axum::Json;
use axum::extract::State;
use serde::Serialize;

/// Body of `/healthz`.
#[derive(Debug, Serialize)]
pub(crate) struct Health {
    status: &'static str,
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
        public_quads: n,
        uptime_seconds: state.started.elapsed().as_secs(),
        base_iri: state.base.as_str().to_owned(),
        replica: state.replica.as_ref().map(|r| r.report()),
    }))
}

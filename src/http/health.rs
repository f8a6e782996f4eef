//! `/healthz`: liveness.

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
}

/// Liveness and a figure that proves the store answers.
pub(crate) async fn healthz(State(state): State<AppState>) -> Result<Json<Health>, HttpError> {
    let n = state.engine.public().len().map_err(HttpError::internal)?;
    Ok(Json(Health {
        status: "ok",
        public_quads: n,
        uptime_seconds: state.started.elapsed().as_secs(),
    }))
}

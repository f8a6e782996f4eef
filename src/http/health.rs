//! `/healthz` and the home page.

use super::AppState;
use super::HttpError;
use axum::Json;
use axum::extract::State;
use axum::response::Html;
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

/// A minimal home page pointing at the endpoint.
pub(crate) async fn home(State(state): State<AppState>) -> Html<String> {
    Html(format!(
        "<!doctype html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>bibia — bibliothèque d'IA territoriale</title></head>\
         <body><h1>bibia</h1><p>Le graphe de connaissances de la bibliothèque d'IA territoriale.</p>\
         <p><strong>Données de démonstration fictives</strong> tant qu'aucun inventaire réel n'est chargé.</p>\
         <ul><li><a href=\"{0}sparql\">Point d'accès SPARQL</a></li><li><a href=\"{0}healthz\">État du service</a></li></ul></body></html>",
        state.base.as_str()
    ))
}

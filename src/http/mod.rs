//! The HTTP surface: `app(state)` builds the whole router in one place.
//! Handlers are adapters; the state holds only the public projection.

mod error;
mod health;
mod negotiate;
mod sparql;
mod state;

pub use error::HttpError;
pub use state::AppState;

use axum::Router;
use axum::routing::{get, post};
use tower_http::compression::CompressionLayer;
use tower_http::cors::CorsLayer;

/// The router of the public service.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/", get(health::home))
        .route("/healthz", get(health::healthz))
        .route(
            "/sparql",
            get(sparql::get)
                .post(sparql::post)
                .put(sparql::refuse_write)
                .delete(sparql::refuse_write)
                .patch(sparql::refuse_write),
        )
        .route(
            "/store",
            post(sparql::refuse_write)
                .put(sparql::refuse_write)
                .delete(sparql::refuse_write)
                .patch(sparql::refuse_write),
        )
        .layer(CompressionLayer::new())
        // Every CORS answer is the same (`*` for origins, methods and
        // headers), so it varies with none of the request's headers.
        .layer(
            CorsLayer::permissive()
                .vary::<[axum::http::HeaderName; 0]>([])
                .max_age(std::time::Duration::from_secs(86_400)),
        )
        .with_state(state)
}

/// Runs blocking store work off the async runtime, keeping the tracing span.
pub async fn run_blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, HttpError> {
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || span.in_scope(f))
        .await
        .map_err(|e| HttpError::Internal(format!("tâche interrompue : {e}")))
}

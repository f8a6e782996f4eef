//! The HTTP surface: `app(state)` builds the whole router in one place, and
//! [`serve`] serves it, one thread per connection. Handlers are adapters;
//! the state holds only the public projection.
//!
//! Handlers run on their connection's own thread and may block on the
//! store, which is why the router is not public: only [`serve`] runs it.

mod admin;
mod cache;
mod catalog;
mod contribute;
mod def;
mod derived;
mod dumps;
mod error;
mod export;
mod health;
mod negotiate;
mod pages;
mod replication;
mod search;
mod server;
mod sparql;
mod state;
mod urlencoded;
mod warm;
mod write;

pub use error::{HttpError, Message};
pub(crate) use negotiate::check_for_fuzzing as check_negotiation_for_fuzzing;
pub use server::serve;
pub use state::{AppState, Contrib};
pub use warm::{make as make_example_answers, start as warm_up};

use axum::Router;
use axum::routing::{get, post};
use tower_http::compression::CompressionLayer;
use tower_http::cors::CorsLayer;

/// Runs a handler's work on the store: on the connection's own thread,
/// which [`serve`] gives every connection, so it may block; the name says
/// where a handler does.
fn blocking<T>(work: impl FnOnce() -> T) -> T {
    work()
}

/// The router of the public service; its handlers block their thread, so
/// it is served only by [`serve`].
///
/// Pages and data documents keep their gzipped bytes in the page cache and
/// are not compressed again; the SPARQL answers, the stylesheet and the
/// errors go through the compression layer.
fn app(state: AppState) -> Router {
    let compressed = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/flux", get(replication::flux))
        .route("/static/bibia.css", get(pages::stylesheet))
        .route("/static/icon.svg", get(pages::icon))
        .route("/favicon.ico", get(pages::icon))
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
        .layer(CompressionLayer::new());
    Router::new()
        .route("/", get(pages::home))
        .route(
            "/id/{*rest}",
            get(pages::id)
                .post(write::create)
                .put(write::replace)
                .delete(write::withdraw),
        )
        .route("/admin/load", post(admin::load))
        .route("/admin/import", post(admin::import))
        .route(
            "/connexion",
            get(contribute::login_page).post(contribute::login),
        )
        .route("/deconnexion", post(contribute::logout))
        .route("/espace", get(contribute::space))
        .route("/espace/modifications/{id}", get(contribute::change))
        .route(
            "/espace/nouveau/{kind}",
            get(contribute::new_form).post(contribute::create),
        )
        .route(
            "/espace/modifier/{kind}/{slug}",
            get(contribute::edit_form).post(contribute::edit),
        )
        .route("/moderation", get(contribute::queue))
        .route("/moderation/{id}/accepter", post(contribute::accept))
        .route("/moderation/{id}/refuser", post(contribute::refuse))
        .route(
            "/moderation/signalements/{id}/traite",
            post(contribute::close_report),
        )
        .route(
            "/moderation/restaurer/{revision}",
            post(contribute::restore),
        )
        .route(
            "/signaler",
            get(contribute::report_form).post(contribute::report),
        )
        .route("/historique/{kind}/{slug}", get(contribute::history))
        .route("/timegate/{kind}/{slug}", get(contribute::timegate))
        .route("/timemap/{kind}/{slug}", get(contribute::timemap))
        .route("/memento/{id}/{kind}/{slug}", get(contribute::memento))
        .route("/page/{*rest}", get(pages::page))
        .route("/data/{*rest}", get(pages::data))
        .route("/export/projets.csv", get(export::projets_csv))
        .route("/sitemap.xml", get(export::sitemap))
        .route("/catalog", get(catalog::negotiated))
        .route("/catalog.ttl", get(catalog::turtle))
        .route("/catalog.nt", get(catalog::ntriples))
        .route("/catalog.rdf", get(catalog::rdf_xml))
        .route("/catalog.jsonld", get(catalog::json_ld))
        .route("/.well-known/void", get(catalog::void))
        .route("/dumps", get(dumps::index))
        .route("/dumps/", get(dumps::index))
        .route("/dumps/{name}", get(dumps::file))
        .route("/robots.txt", get(export::robots))
        .route("/statistiques", get(pages::statistics))
        .route("/carte", get(pages::map))
        .route("/recherche", get(search::recherche))
        .route("/def", get(def::def))
        .route("/def.ttl", get(def::def_turtle))
        .route("/def.nt", get(def::def_ntriples))
        .route("/def.jsonld", get(def::def_json_ld))
        .route("/def.rdf", get(def::def_rdf_xml))
        .route("/shapes", get(def::shapes_negotiated))
        .route("/shapes.ttl", get(def::shapes_turtle))
        .route("/shapes.nt", get(def::shapes_ntriples))
        .route("/shapes.jsonld", get(def::shapes_json_ld))
        .route("/shapes.rdf", get(def::shapes_rdf_xml))
        .route("/vocab", get(def::vocab_index))
        .route("/vocab/", get(def::vocab_index))
        .route("/vocab/{scheme}", get(def::vocab))
        .route("/{list}", get(pages::list))
        .fallback(pages::fallback)
        .merge(compressed)
        // Every CORS answer is the same (`*` for origins, methods and
        // headers), so it varies with none of the request's headers.
        .layer(
            CorsLayer::permissive()
                .vary::<[axum::http::HeaderName; 0]>([])
                .max_age(std::time::Duration::from_secs(86_400)),
        )
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            replication::to_primary,
        ))
        .with_state(state)
}

//! Shared state of the HTTP handlers: the query engine over the public
//! projection (never the full store) and the base IRI.

use super::pages::Pages;
use crate::config::QueryLimits;
use crate::html::Site;
use crate::iri::BaseIri;
use crate::model::Layout;
use crate::query::Engine;
use crate::store::PublicStore;
use std::sync::Arc;
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
    /// URLs per sitemap file ([`crate::export::MAX_URLS`]; past it,
    /// `/sitemap.xml` is an index of `/sitemap-{n}.xml`). Lower it to see
    /// the index on a small store.
    pub sitemap_limit: usize,
    /// Datasets per page of `/catalog` ([`crate::catalog::PAGE_SIZE`]).
    pub catalog_page_size: usize,
    /// The dump files of the data (`/dumps/`).
    pub dumps: Arc<crate::export::Dumps>,
    /// The full-text search index (`/recherche`, `?q=` on the lists).
    pub search: Arc<crate::search::Searches>,
    /// The pages: their cache, the lists' index, the site.
    pub(crate) pages: Arc<Pages>,
    /// The documentation of the model (`/def`, `/vocab`, `/shapes`).
    pub(crate) docs: Arc<super::def::Docs>,
}

impl AppState {
    /// State over a public projection; starts the thread that watches the
    /// running queries. `layout` lays the pages out (the model's), and
    /// `contact` is where "signaler une erreur" writes to; the files made
    /// from the data (`dumps/`, the search index in `search/`) go in
    /// `files`.
    pub fn new(
        public: PublicStore,
        base: BaseIri,
        limits: QueryLimits,
        layout: Arc<Layout>,
        contact: &str,
        files: &std::path::Path,
    ) -> std::io::Result<Self> {
        let site = Site::new(base.clone(), contact.to_owned());
        Ok(Self {
            engine: Engine::new(public, limits)?,
            base,
            started: Instant::now(),
            sitemap_limit: crate::export::MAX_URLS,
            catalog_page_size: crate::catalog::PAGE_SIZE,
            dumps: Arc::new(crate::export::Dumps::new(files.join("dumps"))),
            search: Arc::new(crate::search::Searches::new(files.join("search"))),
            pages: Arc::new(Pages::new(site, layout)),
            docs: Arc::default(),
        })
    }

    /// The limits of the SPARQL endpoint.
    pub fn limits(&self) -> &QueryLimits {
        self.engine.limits()
    }
}

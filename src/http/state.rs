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
    /// Set once the indexes and the example queries' answers of the data
    /// found at start are made (`/readyz`; see [`super::warm`]).
    pub ready: Arc<std::sync::atomic::AtomicBool>,
    /// URLs per sitemap file ([`crate::export::MAX_URLS`]; past it,
    /// `/sitemap.xml` is an index of `/sitemap-{n}.xml`). Lower it to see
    /// the index on a small store.
    pub sitemap_limit: usize,
    /// Datasets per page of `/catalog` ([`crate::catalog::PAGE_SIZE`]).
    pub catalog_page_size: usize,
    /// The dump files of the data (`/dumps/`).
    pub dumps: Arc<crate::export::Dumps>,
    /// The folder of the full-text search indexes (`/recherche`, `?q=` on
    /// the lists); the one in use is in `pages`.
    pub search: Arc<crate::search::Searches>,
    /// The pages: their cache, the lists' and search indexes, the site.
    pub(crate) pages: Arc<Pages>,
    /// The documentation of the model (`/def`, `/vocab`, `/shapes`).
    pub(crate) docs: Arc<super::def::Docs>,
    /// The contributions (write API, forms, moderation), when the service
    /// takes writes ([`AppState::with_contributions`]).
    pub(crate) contrib: Option<Arc<Contrib>>,
    /// The change feed read replicas follow (`/flux`), on a primary.
    pub(crate) feed: Option<crate::store::Feed>,
    /// On a read replica: what it follows and how far it got (`/healthz`);
    /// writes and contributions are sent to the primary.
    pub(crate) replica: Option<Arc<crate::replica::Status>>,
}

/// What the write paths need: the stores themselves (the only place the
/// HTTP surface holds them: the handlers of `write.rs` and `contribute.rs`
/// write through [`Stores::change`] and read the journal), the accounts,
/// the web sessions and the limits of the forms.
///
/// [`Stores::change`]: crate::store::Stores::change
pub struct Contrib {
    /// The stores.
    pub stores: Arc<crate::store::Stores>,
    /// The accounts (`{data}/comptes/`).
    pub accounts: crate::accounts::Accounts,
    /// The web sessions.
    pub sessions: crate::accounts::Sessions,
    /// Failed log-ins, per login (5 in 15 minutes lock it for 15).
    pub logins: crate::accounts::Throttle,
    /// Failed log-ins, per address: more allowed, as a town hall's agents
    /// may share one (30 in 15 minutes lock it for 15).
    pub addresses: crate::accounts::Throttle,
    /// Error reports, per address.
    pub reports: crate::accounts::RateLimit,
    /// The forms generated from the shapes.
    pub forms: crate::contribute::Forms,
    /// Largest body of a write (bytes).
    pub max_body: usize,
    /// Whether cookies are `Secure` (the base IRI is `https`).
    pub secure: bool,
    /// Whether the dumps wait to be remade after a write
    /// (`write::refresh_in_background`).
    pub(crate) refreshing: std::sync::atomic::AtomicBool,
}

impl Contrib {
    /// The contributions over `stores`, with the accounts of `data_dir`.
    pub fn new(
        stores: Arc<crate::store::Stores>,
        data_dir: &std::path::Path,
        max_body: usize,
    ) -> Result<Self, crate::accounts::AccountError> {
        use std::time::Duration;
        let accounts = crate::accounts::Accounts::open(data_dir)?;
        let forms = crate::contribute::Forms::new(stores.model());
        Ok(Self {
            secure: stores.base().as_str().starts_with("https:"),
            sessions: crate::accounts::Sessions::new(
                accounts.clone(),
                crate::accounts::Expiry::Sliding(Duration::from_secs(8 * 3600)),
            ),
            accounts,
            logins: crate::accounts::Throttle::new(
                5,
                Duration::from_secs(15 * 60),
                Duration::from_secs(15 * 60),
            ),
            addresses: crate::accounts::Throttle::new(
                30,
                Duration::from_secs(15 * 60),
                Duration::from_secs(15 * 60),
            ),
            reports: crate::accounts::RateLimit::new(5, Duration::from_secs(3600)),
            forms,
            stores,
            max_body,
            refreshing: std::sync::atomic::AtomicBool::new(false),
        })
    }
}

/// The reference of an account in the journal of the stores: a hash of
/// its login, so that no export of the stores holds an account.
pub(crate) fn account_ref(login: &str) -> String {
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(format!("bibia-compte:{login}").as_bytes());
    format!(
        "compte-{}",
        digest[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    )
}

/// Who calls a write path, as their account says.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    /// The login.
    pub(crate) login: String,
    /// The person's name.
    pub(crate) name: String,
    /// A contributor's organisation.
    pub(crate) organisation: Option<oxigraph::model::NamedNode>,
    /// A moderator of the network.
    pub(crate) moderator: bool,
    /// Whether what they write is published without moderation.
    pub(crate) trusted: bool,
}

impl From<crate::accounts::Principal> for Caller {
    fn from(p: crate::accounts::Principal) -> Self {
        Self {
            moderator: p.is_moderator(),
            organisation: p
                .organisation
                .and_then(|o| oxigraph::model::NamedNode::new(o).ok()),
            login: p.login,
            name: p.name,
            trusted: p.trusted,
        }
    }
}

impl Caller {
    /// The author of their changes.
    pub(crate) fn author(&self) -> crate::store::Author {
        crate::store::Author {
            account: account_ref(&self.login),
            organisation: self.organisation.clone(),
        }
    }

    /// Whether they may change a record owned by `owners`: a moderator
    /// any, a contributor those of their organisation.
    pub(crate) fn may_write(&self, owners: &[oxigraph::model::NamedNode]) -> bool {
        self.moderator
            || self
                .organisation
                .as_ref()
                .is_some_and(|o| owners.contains(o))
    }

    /// Whether their changes are published without a moderator.
    pub(crate) fn publishes(&self) -> bool {
        self.moderator || self.trusted
    }
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
        let search = Arc::new(crate::search::Searches::new(files.join("search")));
        Ok(Self {
            engine: Engine::new(public, limits)?,
            base,
            started: Instant::now(),
            ready: Arc::default(),
            sitemap_limit: crate::export::MAX_URLS,
            catalog_page_size: crate::catalog::PAGE_SIZE,
            dumps: Arc::new(crate::export::Dumps::new(files.join("dumps"))),
            pages: Arc::new(Pages::new(site, layout, Arc::clone(&search))),
            search,
            docs: Arc::default(),
            contrib: None,
            feed: None,
            replica: None,
        })
    }

    /// Takes writes: the write API, the forms, moderation, error reports.
    pub fn with_contributions(mut self, contrib: Contrib) -> Self {
        self.contrib = Some(Arc::new(contrib));
        self
    }

    /// Publishes the change feed read replicas follow (`/flux`).
    pub fn with_feed(mut self, feed: crate::store::Feed) -> Self {
        self.feed = Some(feed);
        self
    }

    /// Serves as a read replica: writes and contributions go to the
    /// primary, `/healthz` tells how far behind it the copy is.
    pub fn as_replica(mut self, status: Arc<crate::replica::Status>) -> Self {
        self.replica = Some(status);
        self
    }

    /// Builds the lists' and the search indexes of the current data
    /// version before returning, as a writer does (on a replica, after each
    /// update from the primary): requests meanwhile are given the previous
    /// ones, and after it they find the change.
    pub fn refresh_indexes(&self) {
        let store = self.engine.public();
        if let Err(e) = self
            .pages
            .derived
            .catch_up(store, store.version().generation)
        {
            tracing::warn!("index des listes non refaits : {}", e.message().fr);
        }
    }

    /// Makes (or opens) the lists' and search indexes of the current data
    /// if nobody has yet, as the first list and the first search would:
    /// what a server makes ahead after its start.
    pub fn prepare_indexes(&self) {
        let store = self.engine.public();
        let derived = &self.pages.derived;
        if let Err(e) = derived
            .read(store)
            .and_then(|indexes| derived.search(&indexes, store))
        {
            tracing::warn!("index des listes non faits : {}", e.message().fr);
        }
    }

    /// The limits of the SPARQL endpoint.
    pub fn limits(&self) -> &QueryLimits {
        self.engine.limits()
    }
}

//! The indexes derived from the data — the lists' index
//! ([`crate::browse::Index`]) and the search index
//! ([`crate::search::SearchIndex`]), built together as one [`Indexes`]
//! per version of the data — and which of them a request is given.
//!
//! Building them takes a few tenths of a second on the demo (more on a
//! large catalogue), and every write is a new version of the data. So
//! they are served stale while they are revalidated:
//!
//! - a request is given the newest [`Indexes`] published, even when the
//!   data has moved on, **as long as a newer one is coming**: a write in
//!   progress will build it before it answers, or a build is under way.
//!   At most one build runs at a time; the others wait for it, and a
//!   build always takes the data as it is when it starts, so one build
//!   catches up with every write made before it;
//! - the write paths ([`super::write::publishing`]) announce themselves
//!   before they write and, once the write is committed, build the
//!   indexes of the new version (or wait for the build under way, then
//!   build the next) before they answer: whoever asks for a list or a
//!   search after a write was acknowledged — its writer first — finds it;
//! - a change made otherwise (a load into the stores from outside the
//!   HTTP write paths, as the tests do) is noticed by the first request
//!   that needs the indexes, which builds them while the requests after
//!   it are given the previous ones.
//!
//! So a list or a search lags behind the data only while a write is being
//! made and its indexes built: by the build under way when the write was
//! committed and the one after it at most. Entity pages and data documents
//! do not use these indexes (but for the counts of the lists a concept's
//! page links to): they read the projection and are always current.

use super::HttpError;
use crate::browse::Index;
use crate::iri::BaseIri;
use crate::search::{SearchIndex, Searches};
use crate::store::{DataVersion, PublicStore};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError, RwLock, TryLockError};
use std::time::Duration;

/// The lists' index and the search index of one version of the data.
#[derive(Debug)]
pub(crate) struct Indexes {
    /// The version of the data they were built from (read before the
    /// build: what they hold is at least that recent).
    pub(crate) version: DataVersion,
    /// The lists' index.
    pub(crate) records: Arc<Index>,
    /// The search index built from `records`, once someone has searched.
    search: Mutex<Option<Arc<SearchIndex>>>,
}

/// The newest [`Indexes`] and the one build that may be under way.
#[derive(Debug)]
pub(crate) struct Derived {
    base: BaseIri,
    searches: Arc<Searches>,
    /// The newest indexes published.
    latest: RwLock<Option<Arc<Indexes>>>,
    /// Held by the one build under way.
    build: Mutex<()>,
    /// How many builds have ended, and the signal of each end: who waits
    /// for a build waits for this, not for the lock, which the builds that
    /// start meanwhile would keep from it.
    ended: (Mutex<u64>, Condvar),
    /// How many writes or builds are under way that will publish newer
    /// indexes: while there is one, requests take the published ones.
    coming: AtomicUsize,
    /// Whether a background catch-up is scheduled.
    background: AtomicBool,
    /// Whether anyone has searched since the service started: from then
    /// on, every build makes the search index too.
    searching: AtomicBool,
}

/// The build lock: when dropped, releases it, then says that a build has
/// ended (or given up), in that order, so that whoever wakes can build.
struct Ended<'a>(&'a Derived, Option<MutexGuard<'a, ()>>);

impl Drop for Ended<'_> {
    fn drop(&mut self) {
        drop(self.1.take());
        let (count, signal) = &self.0.ended;
        *count.lock().unwrap_or_else(PoisonError::into_inner) += 1;
        signal.notify_all();
    }
}

/// Says that newer indexes are coming, until dropped.
#[must_use = "readers take stale indexes only while this lives"]
pub(crate) struct Coming(Arc<Derived>);

impl Drop for Coming {
    fn drop(&mut self) {
        self.0.coming.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Derived {
    /// No indexes yet; the search indexes go in `searches`' folder.
    pub(crate) fn new(base: BaseIri, searches: Arc<Searches>) -> Self {
        Self {
            base,
            searches,
            latest: RwLock::new(None),
            build: Mutex::new(()),
            ended: (Mutex::new(0), Condvar::new()),
            coming: AtomicUsize::new(0),
            background: AtomicBool::new(false),
            searching: AtomicBool::new(false),
        }
    }

    /// The newest indexes published.
    fn latest(&self) -> Option<Arc<Indexes>> {
        self.latest
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Whether the published indexes are those of the data's version (or
    /// none were ever asked for: then there is nothing to bring up to
    /// date).
    fn up_to_date(&self, store: &PublicStore) -> bool {
        self.latest()
            .is_none_or(|l| l.version.generation >= store.version().generation)
    }

    /// Says that newer indexes are coming (a write, a build): requests
    /// meanwhile take the published ones instead of building their own.
    pub(crate) fn announce(self: &Arc<Self>) -> Coming {
        self.coming.fetch_add(1, Ordering::SeqCst);
        Coming(Arc::clone(self))
    }

    /// The indexes a request uses: those of the current data; or the
    /// newest published, when newer ones are coming; else (the data
    /// changed and nobody is building) this request builds them, the
    /// others meanwhile taking the published ones.
    pub(crate) fn read(self: &Arc<Self>, store: &PublicStore) -> Result<Arc<Indexes>, HttpError> {
        let generation = store.version().generation;
        if let Some(latest) = self.latest()
            && (latest.version.generation >= generation || self.coming.load(Ordering::SeqCst) > 0)
        {
            return Ok(latest);
        }
        self.reach(store, generation, true)?
            .ok_or_else(|| HttpError::internal(std::io::Error::other("index des listes absents")))
    }

    /// Brings the indexes up to version `generation` of the data at least
    /// before returning: after the build under way if there is one (which
    /// may have been enough), builds those of the data as it then is.
    /// Nothing when no request ever asked for them. A write waits for the
    /// version it made, not for those made since.
    pub(crate) fn catch_up(
        self: &Arc<Self>,
        store: &PublicStore,
        generation: u64,
    ) -> Result<(), HttpError> {
        self.reach(store, generation, false).map(drop)
    }

    /// Waits until indexes of version `generation` at least are published
    /// and returns them (`None` when none were ever built and `first` is
    /// false: then nobody needs them yet). When they are not and no build
    /// is under way, this thread builds them; otherwise it waits for the
    /// build under way to end and looks again.
    fn reach(
        self: &Arc<Self>,
        store: &PublicStore,
        generation: u64,
        first: bool,
    ) -> Result<Option<Arc<Indexes>>, HttpError> {
        let _coming = self.announce();
        loop {
            let ended = *self.ended.0.lock().unwrap_or_else(PoisonError::into_inner);
            match self.latest() {
                Some(latest) if latest.version.generation >= generation => {
                    return Ok(Some(latest));
                }
                None if !first => return Ok(None),
                _ => {}
            }
            if let Some(build) = self.try_build() {
                let _ended = Ended(self, Some(build));
                // A build may have ended between the look and the lock.
                match self.latest() {
                    Some(latest) if latest.version.generation >= generation => {
                        return Ok(Some(latest));
                    }
                    None if !first => return Ok(None),
                    _ => return self.build_locked(store).map(Some),
                }
            }
            self.wait_for_build(ended);
        }
    }

    /// The build lock, unless a build holds it.
    fn try_build(&self) -> Option<MutexGuard<'_, ()>> {
        match self.build.try_lock() {
            Ok(guard) => Some(guard),
            Err(TryLockError::Poisoned(poisoned)) => Some(poisoned.into_inner()),
            Err(TryLockError::WouldBlock) => None,
        }
    }

    /// Waits until more builds than `ended` have ended (a second at most:
    /// the caller looks again anyway).
    fn wait_for_build(&self, ended: u64) {
        let (count, signal) = &self.ended;
        let count = count.lock().unwrap_or_else(PoisonError::into_inner);
        let _ = signal
            .wait_timeout_while(count, Duration::from_secs(1), |n| *n == ended)
            .unwrap_or_else(PoisonError::into_inner);
    }

    /// [`Derived::catch_up`] on a thread of its own, unless one is already
    /// on its way (it catches up with this change too). Newer indexes are
    /// announced at once: requests take the published ones meanwhile.
    pub(crate) fn refresh_in_background(self: &Arc<Self>, store: &PublicStore) {
        if self.up_to_date(store) || self.background.swap(true, Ordering::SeqCst) {
            return;
        }
        let coming = self.announce();
        let this = Arc::clone(self);
        let store = store.clone();
        let spawned = std::thread::Builder::new()
            .name("bibia-index".into())
            .spawn(move || {
                let _coming = coming;
                loop {
                    let built = this.catch_up(&store, store.version().generation);
                    this.background.store(false, Ordering::SeqCst);
                    if let Err(e) = built {
                        // The next request that needs them tries again.
                        tracing::warn!("index des listes non refait : {}", e.message().fr);
                        break;
                    }
                    // A change after the build started found the flag set
                    // and left its catch-up to this thread.
                    if this.up_to_date(&store) || this.background.swap(true, Ordering::SeqCst) {
                        break;
                    }
                }
            });
        if let Err(e) = spawned {
            self.background.store(false, Ordering::SeqCst);
            tracing::warn!("mise à jour des index non lancée : {e}");
        }
    }

    /// Builds and publishes the indexes of the data as it is now (the
    /// search index too once someone has searched); the caller holds the
    /// build lock.
    fn build_locked(&self, store: &PublicStore) -> Result<Arc<Indexes>, HttpError> {
        let started = std::time::Instant::now();
        let version = store.version();
        let records = Arc::new(Index::build(store, &self.base).map_err(HttpError::internal)?);
        let search = if self.searching.load(Ordering::SeqCst) {
            match self.searches.of_version(store, &records, version) {
                Ok(index) => Some(Arc::new(index)),
                Err(e) => {
                    // The next search builds it.
                    tracing::warn!("index de recherche non refait : {e}");
                    None
                }
            }
        } else {
            None
        };
        let searched = search.is_some();
        let indexes = Arc::new(Indexes {
            version,
            records,
            search: Mutex::new(search),
        });
        *self.latest.write().unwrap_or_else(PoisonError::into_inner) = Some(Arc::clone(&indexes));
        if searched {
            self.searches.keep_only(version);
        }
        tracing::debug!(
            "index de la version {} publiés en {:.2} s",
            version.generation,
            started.elapsed().as_secs_f64()
        );
        Ok(indexes)
    }

    /// The search index of `indexes`: built (or opened from disk) by the
    /// first search that needs it, the others waiting for it. Once
    /// someone has searched, each build makes both, so this happens to
    /// the first indexes of a run only.
    pub(crate) fn search(
        &self,
        indexes: &Indexes,
        store: &PublicStore,
    ) -> Result<Arc<SearchIndex>, HttpError> {
        if let Some(index) = indexes.search_index() {
            return Ok(index);
        }
        self.searching.store(true, Ordering::SeqCst);
        // Made under these indexes' own lock, not the builds' one: a
        // stream of writes keeps that one busy, build after build, and a
        // search waiting for it could wait for as long as they come. The
        // searches of these indexes wait for this one build only.
        let mut slot = indexes
            .search
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(index) = slot.as_ref() {
            return Ok(Arc::clone(index));
        }
        let index = Arc::new(
            self.searches
                .of_version(store, &indexes.records, indexes.version)
                .map_err(HttpError::internal)?,
        );
        *slot = Some(Arc::clone(&index));
        // The folders of other versions go, when these are the newest
        // indexes and no build (which may be writing its own) is under way.
        if let Some(_build) = self.try_build()
            && self
                .latest()
                .is_some_and(|l| std::ptr::eq(Arc::as_ptr(&l), indexes))
        {
            self.searches.keep_only(indexes.version);
        }
        Ok(index)
    }
}

impl Indexes {
    /// The search index, when built.
    fn search_index(&self) -> Option<Arc<SearchIndex>> {
        self.search
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::browse::Kind;
    use crate::model::seed::Seed;
    use crate::store::Stores;

    /// Imports one use case through the stores, as a load from outside
    /// the write paths: nothing announces it.
    fn import(stores: &Stores, title: &str) {
        let csv = format!(
            "Nom_collectivite;Nom_du_projet;Date_de_demarrage;Statut_du_projet;Partenaires;Description_service;mise_en_oeuvre;Theme;Audience\n\
             Ville de Nantes;{title};2023;En déploiement;;Un essai.;;Mobilités;Agent\n"
        );
        let report = crate::import::import_bytes(
            stores,
            "projets.csv",
            csv.as_bytes(),
            &crate::import::Options::default(),
        )
        .expect("import runs");
        assert_eq!(report.imported, 1, "{:#?}", report.rejected);
    }

    fn listed(indexes: &Indexes, title: &str) -> bool {
        indexes
            .records
            .entries(Kind::Projet)
            .iter()
            .any(|e| e.title == title)
    }

    #[test]
    fn the_lists_are_stale_only_while_newer_ones_are_coming() {
        let dir = tempfile::tempdir().expect("temp dir");
        let base = BaseIri::parse("http://localhost:8080/").expect("base");
        let stores = Stores::open(dir.path(), base.clone()).expect("stores");
        stores
            .seed(Seed {
                reference: false,
                demo: false,
            })
            .expect("model");
        let store = stores.public();
        let searches = Arc::new(Searches::new(dir.path().join("search")));
        let derived = Arc::new(Derived::new(base, searches));
        // The first request builds them: there is nothing older.
        let first = derived.read(&store).expect("indexes");
        assert_eq!(first.version, store.version());
        derived.search(&first, &store).expect("search index");

        // A write announces itself, then commits: until its indexes are
        // built, requests are given the previous ones, without waiting.
        let coming = derived.announce();
        import(&stores, "Tri des courriers entrants");
        let stale = derived.read(&store).expect("indexes");
        assert!(Arc::ptr_eq(&stale, &first), "the previous indexes");
        // A writer waits for the version it made only: one already
        // indexed needs no build, whatever was written since.
        derived
            .catch_up(&store, first.version.generation)
            .expect("nothing to build");
        assert!(Arc::ptr_eq(&derived.read(&store).expect("indexes"), &first));
        // The writer builds them before it answers; from then on every
        // request has them, the search index too (it was in use).
        derived
            .catch_up(&store, store.version().generation)
            .expect("built");
        drop(coming);
        let current = derived.read(&store).expect("indexes");
        assert_eq!(current.version, store.version());
        assert!(listed(&current, "Tri des courriers entrants"));
        assert!(
            current.search_index().is_some(),
            "built with the lists' index"
        );
        let hits = derived
            .search(&current, &store)
            .expect("search index")
            .search(&current.records, "courrier", None, 10)
            .expect("hits");
        assert_eq!(hits.len(), 1);

        // A change nobody announced: the next request builds the indexes
        // itself rather than answer from older ones.
        import(&stores, "Lecture des compteurs d'eau");
        let next = derived.read(&store).expect("indexes");
        assert!(listed(&next, "Lecture des compteurs d'eau"));
        // One search folder, the current one.
        let folders = std::fs::read_dir(dir.path().join("search"))
            .expect("folder")
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with('v'))
            .count();
        assert_eq!(folders, 1);
    }
}

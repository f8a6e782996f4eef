//! The only module that touches oxigraph's `Store`.
//!
//! Two RocksDB stores live in the data directory: `full/`, the source of
//! truth, and `public/`, the public projection, which only ever receives
//! triples whose property is public (see [`AccessPolicy`]). The HTTP surface
//! is handed a [`PublicStore`] and nothing else, so no query can reach
//! restricted data. Every load is validated against the shapes, then
//! committed to `full/` in one atomic step, then projected. A run counter
//! kept in `full/` and a marker file in `public/` tell, on opening, whether a
//! crash came between the two commits; the projection is then rebuilt.

mod feed;
mod load;
mod lookup;
mod read;
mod replica;
mod write;

pub use crate::model::{AccessPolicy, Batch};
pub use feed::{Feed, Position, Since};
pub use load::{ForeignBase, LoadError, LoadSummary, foreign_base, rebase};
pub use lookup::OrganisationIndex;
pub use read::{DataVersion, Referrer, Statistics, best_text_of};
pub use replica::{Copied, ReplicaStore};
pub use write::{
    Action, Author, Entry, Precondition, Report, StoredRecord, WriteError, Written, time_of,
};

use crate::iri::BaseIri;
use crate::model::{Model, ModelError};
use crate::vocab::{self, prov};
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{GraphName, NamedOrBlankNode, Quad, vocab::rdf};
use oxigraph::store::{StorageError, Store};
use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

/// Errors of the storage layer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// RocksDB or oxigraph failed (a full disk and a damaged file are said
    /// in words, with the file).
    #[error("{}", storage_message(.0))]
    Storage(StorageError),
    /// A store does not open: one of its files is damaged.
    #[error(
        "la base {store} est endommagée ({file}) : {detail}. {advice}",
        store = store.display(),
        file = file.display(),
        advice = if store.ends_with("full") {
            "C'est la base complète, la source des données : bibia ne l'ouvre pas, pour ne rien aggraver, et n'y a rien modifié. Restaurez la dernière sauvegarde (`bibia restore --data-dir DOSSIER SAUVEGARDE`), ou chargez le dernier export complet dans un dossier neuf (`bibia load`)."
        } else {
            "Supprimez ce dossier : bibia le refera depuis la base complète."
        }
    )]
    Corrupt {
        /// The store's folder.
        store: PathBuf,
        /// The damaged file, as RocksDB names it (else the folder).
        file: PathBuf,
        /// What RocksDB said.
        detail: String,
    },
    /// A store was written by another version of oxigraph's storage.
    #[error(
        "la base {store} a été écrite dans un autre format de stockage que celui de cette version de bibia ({detail}) : bibia ne l'ouvre pas. Avec la version de bibia qui l'a écrite, exportez toutes les données (`bibia export --full --format nq`), puis chargez-les avec celle-ci dans un dossier neuf (`bibia load`)",
        store = store.display()
    )]
    OtherStorageVersion {
        /// The store's folder.
        store: PathBuf,
        /// What oxigraph said.
        detail: String,
    },
    /// The key of the entity tags is not what bibia writes.
    #[error(
        "{path} est endommagé ({len} octets au lieu de 32) : c'est la clé des étiquettes (ETag) des fiches, et sans elle les modifications en attente ne pourraient plus être acceptées. Remettez-le depuis une copie du dossier de données ; à défaut, supprimez-le (bibia en fera un autre, les lecteurs relisent les fiches, les modifications en attente sont à refaire). Rien n'a été modifié.",
        path = path.display()
    )]
    TagKey {
        /// The file.
        path: PathBuf,
        /// Its size.
        len: usize,
    },
    /// The data directory is of another layout (see [`crate::datadir`]).
    #[error(transparent)]
    Layout(#[from] crate::datadir::LayoutError),
    /// The store is locked by another process.
    #[error(
        "la base {0} est déjà ouverte par un autre processus (un `bibia serve` en cours ?) : arrêtez-le, \
         ou passez par lui avec --via http://ADRESSE-DU-SERVICE/ et un jeton de modérateur dans BIBIA_TOKEN \
         (`bibia token create IDENTIFIANT`)"
    )]
    Locked(PathBuf),
    /// The model could not be loaded.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// Input/output error on the data directory.
    #[error("{}", crate::datadir::io_message(path, source))]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A primary's command on a replica's data directory.
    #[error(
        "le dossier {0} est celui d'une réplique (bibia serve --replica-of) : ses données viennent \
         du serveur principal, écrivez là-bas ; pour en faire une base principale, supprimez-en \
         replique.json et public/"
    )]
    Replica(PathBuf),
    /// A replica on a primary's data directory.
    #[error(
        "le dossier {0} contient une base principale (full/) : une réplique demande un dossier \
         à elle (--data-dir)"
    )]
    Primary(PathBuf),
    /// Writing an export failed.
    #[error("export impossible : {0}")]
    Serialize(String),
}

/// The bundled data could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SeedError {
    /// A bundled file did not parse.
    #[error(transparent)]
    Read(#[from] crate::rdf::ReadError),
    /// Validation or storage failed.
    #[error(transparent)]
    Load(#[from] LoadError),
}

/// Read-only handle on the public projection: all the HTTP surface gets.
/// It shares the version of the data with the [`Stores`] it came from, so a
/// write made through them is seen by every handle (see [`DataVersion`]).
#[derive(Clone)]
pub struct PublicStore(Store, Arc<Mutex<DataVersion>>);

impl PublicStore {
    /// Evaluates a prepared query over the projection.
    pub fn execute(
        &self,
        query: oxigraph::sparql::PreparedSparqlQuery,
    ) -> Result<oxigraph::sparql::QueryResults<'static>, oxigraph::sparql::QueryEvaluationError>
    {
        query.on_store(&self.0).execute()
    }

    /// The number of public quads.
    pub fn len(&self) -> Result<usize, StoreError> {
        Ok(self.0.len()?)
    }

    /// Whether the projection holds no quad.
    pub fn is_empty(&self) -> Result<bool, StoreError> {
        Ok(self.0.is_empty()?)
    }

    /// An empty projection in memory, for unit tests of the evaluation.
    #[cfg(test)]
    pub(crate) fn in_memory() -> Self {
        Self(
            Store::new().expect("an in-memory store opens"),
            Arc::new(Mutex::new(DataVersion::initial(0, SystemTime::now()))),
        )
    }

    /// Merges the projection's files (RocksDB compaction): each load adds
    /// its own sorted files, which every range scan then reads.
    pub fn compact(&self) -> Result<(), StoreError> {
        Ok(self.0.optimize()?)
    }
}

/// The full store and its public projection.
pub struct Stores {
    full: Store,
    public: Store,
    dir: PathBuf,
    base: BaseIri,
    model: Arc<Model>,
    version: Arc<Mutex<DataVersion>>,
    /// Held by every write (see `write.rs`).
    writing: Mutex<()>,
    /// The runs committed to the full store: counted once on opening, then
    /// kept, since counting them decodes every run ever made (with many
    /// contributions, most of a write's time).
    runs: std::sync::atomic::AtomicU64,
    /// What each recent run changed in the projection, for read replicas.
    log: Arc<Mutex<feed::Log>>,
    /// Drawn when the stores open: a replica's position names it.
    epoch: u64,
    /// The key of the entity tags, once read or made (see `write.rs`).
    tag_key: Mutex<Option<[u8; 32]>>,
}

const MARKER: &str = "PROJECTION";

/// What the projection's marker file says.
enum Marker {
    /// The runs of the full store it was made from.
    Runs(u64),
    /// No marker: a projection never made, or made by a run killed early.
    Missing,
    /// Not a number.
    Unreadable(String),
}

impl Stores {
    /// Opens (or creates) the stores in `dir`, rebuilding the projection if
    /// it lags behind the full store.
    pub fn open(dir: &Path, base: BaseIri) -> Result<Self, StoreError> {
        let model = Arc::new(Model::bundled(&base)?);
        Self::open_with_model(dir, base, model)
    }

    /// Opens the stores with an already compiled model.
    pub fn open_with_model(
        dir: &Path,
        base: BaseIri,
        model: Arc<Model>,
    ) -> Result<Self, StoreError> {
        replica::refuse_replica_dir(dir)?;
        // Before anything in the directory is opened: another layout is
        // refused with nothing modified.
        let found = crate::datadir::check(dir)?;
        // Opening a store rewrites some of its files: what can be refused
        // without it is checked first.
        write::read_tag_key(dir)?;
        if found == crate::datadir::Found::Stamped && !dir.join("full").join("CURRENT").exists() {
            // RocksDB would make a new, empty store there.
            return Err(StoreError::Corrupt {
                store: dir.join("full"),
                file: dir.join("full").join("CURRENT"),
                detail: "fichier absent, alors que ce dossier a déjà servi (son fichier FORMAT le dit) : la base complète a été déplacée ou effacée".to_owned(),
            });
        }
        std::fs::create_dir_all(dir).map_err(|source| StoreError::Io {
            path: dir.to_owned(),
            source,
        })?;
        let full = open_store(&dir.join("full"))?;
        let public = match open_store(&dir.join("public")) {
            Err(StoreError::Corrupt { file, detail, .. }) => {
                // Derived from the full store: made again.
                tracing::warn!(
                    "projection publique endommagée ({} : {detail}) : elle est effacée et refaite depuis la base complète",
                    file.display()
                );
                let path = dir.join("public");
                std::fs::remove_dir_all(&path).map_err(|source| StoreError::Io {
                    path: path.clone(),
                    source,
                })?;
                open_store(&path)?
            }
            other => other?,
        };
        let needs_stamp = found != crate::datadir::Found::Stamped;
        let modified = std::fs::metadata(dir.join("public").join(MARKER))
            .and_then(|m| m.modified())
            .unwrap_or_else(|_| SystemTime::now());
        let stores = Self {
            full,
            public,
            dir: dir.to_owned(),
            base,
            model,
            version: Arc::new(Mutex::new(DataVersion::initial(0, modified))),
            writing: Mutex::new(()),
            runs: std::sync::atomic::AtomicU64::new(0),
            log: Arc::default(),
            epoch: feed::epoch(),
            tag_key: Mutex::new(None),
        };
        let runs = stores.run_count()?;
        stores.runs.store(runs, std::sync::atomic::Ordering::SeqCst);
        stores.lock_version().generation = runs;
        *stores.log.lock().unwrap_or_else(PoisonError::into_inner) = feed::Log::starting_at(runs);
        match stores.projection_marker() {
            Marker::Runs(n) if n == runs => {}
            Marker::Runs(n) if n > runs => {
                // The projection was made from writes the full store no
                // longer holds: files of it were lost or replaced by older
                // ones. Rebuilding would publish the loss.
                return Err(StoreError::Corrupt {
                    store: dir.join("full"),
                    file: dir.join("full"),
                    detail: format!(
                        "elle compte {runs} écriture(s), mais sa projection publique a été faite après {n} (fichier {}) : des fichiers de la base complète manquent ou ont été remplacés par de plus anciens. Si vous y avez remis vous-même une sauvegarde, effacez ce fichier PROJECTION pour que la projection soit refaite",
                        dir.join("public").join(MARKER).display()
                    ),
                });
            }
            Marker::Runs(_) => {
                tracing::warn!(
                    "la projection publique est en retard sur la base complète : elle est refaite"
                );
                stores.reindex()?;
            }
            Marker::Missing if runs == 0 => {}
            Marker::Missing => {
                tracing::warn!(
                    "la projection publique n'a pas de marqueur {} : elle est refaite depuis la base complète",
                    dir.join("public").join(MARKER).display()
                );
                stores.reindex()?;
            }
            Marker::Unreadable(detail) => {
                tracing::warn!(
                    "marqueur de la projection publique {} illisible ({detail}) : la projection est refaite depuis la base complète",
                    dir.join("public").join(MARKER).display()
                );
                stores.reindex()?;
            }
        }
        if needs_stamp {
            if found == crate::datadir::Found::Unstamped {
                tracing::info!(
                    "dossier de données d'une version antérieure de bibia, sans fichier {} : il est marqué format {}",
                    crate::datadir::FILE,
                    crate::datadir::LAYOUT
                );
            }
            crate::datadir::stamp(dir)?;
        }
        Ok(stores)
    }

    /// The base IRI data is resolved against.
    pub fn base(&self) -> &BaseIri {
        &self.base
    }

    /// Loads a seed (the bundled model, and the reference territories and
    /// the demo data when asked) in one validated, atomic write.
    pub fn seed(&self, seed: crate::model::seed::Seed) -> Result<LoadSummary, SeedError> {
        let batches = crate::model::seed::batches(self.model(), self.base(), seed)?;
        Ok(self.load(batches, |_| ())?)
    }

    /// The compiled model.
    pub fn model(&self) -> &Arc<Model> {
        &self.model
    }

    /// A handle on the public projection.
    pub fn public(&self) -> PublicStore {
        PublicStore(self.public.clone(), Arc::clone(&self.version))
    }

    fn lock_version(&self) -> std::sync::MutexGuard<'_, DataVersion> {
        self.version.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether nothing was ever loaded (not even the model).
    pub fn is_empty(&self) -> Result<bool, StoreError> {
        Ok(self.full.is_empty()?)
    }

    /// Number of quads in the full store and in the projection.
    pub fn sizes(&self) -> Result<(usize, usize), StoreError> {
        Ok((self.full.len()?, self.public.len()?))
    }

    /// Says that a run was committed to the full store.
    fn count_run(&self) {
        self.runs.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }

    /// Says that the load of `groups` was committed: one run more, or,
    /// when they held the system graph (a full export loaded again, whose
    /// runs replace those stored), the runs counted again, so that the
    /// projection's marker always matches the store.
    fn count_run_of(&self, groups: &[(GraphName, Vec<Quad>)]) -> Result<(), StoreError> {
        let system = GraphName::from(vocab::SYSTEM_GRAPH);
        if groups.iter().any(|(g, _)| *g == system) {
            let n = self.run_count()?;
            self.runs.store(n, std::sync::atomic::Ordering::SeqCst);
        } else {
            self.count_run();
        }
        Ok(())
    }

    fn run_count(&self) -> Result<u64, StoreError> {
        let n = self
            .full
            .quads_for_pattern(
                None,
                Some(rdf::TYPE),
                Some(prov::ACTIVITY.into()),
                Some(vocab::SYSTEM_GRAPH.into()),
            )
            .count();
        Ok(n as u64)
    }

    fn projection_marker(&self) -> Marker {
        match std::fs::read(self.dir.join("public").join(MARKER)) {
            Ok(bytes) => match std::str::from_utf8(&bytes).map(|s| s.trim().parse()) {
                Ok(Ok(n)) => Marker::Runs(n),
                _ => Marker::Unreadable(format!(
                    "{:?} n'est pas un nombre",
                    String::from_utf8_lossy(&bytes[..bytes.len().min(20)])
                )),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Marker::Missing,
            Err(e) => Marker::Unreadable(e.to_string()),
        }
    }

    /// The change feed read replicas follow.
    pub fn feed(&self) -> Feed {
        Feed {
            epoch: self.epoch,
            log: Arc::clone(&self.log),
            public: self.public(),
        }
    }

    /// Writes the marker saying the projection holds every run, and
    /// remembers what the last one changed (for the change feed).
    fn write_marker(&self, changed: feed::Changed) -> Result<(), StoreError> {
        let path = self.dir.join("public").join(MARKER);
        let tmp = path.with_extension("tmp");
        let n = self.runs.load(std::sync::atomic::Ordering::SeqCst);
        std::fs::write(&tmp, n.to_string()).map_err(|source| StoreError::Io {
            path: tmp.clone(),
            source,
        })?;
        std::fs::rename(&tmp, &path).map_err(|source| StoreError::Io { path, source })?;
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(n, changed);
        self.lock_version().advance(SystemTime::now());
        Ok(())
    }

    /// Rebuilds the public projection from the full store.
    pub fn reindex(&self) -> Result<(), StoreError> {
        self.public.clear()?;
        // One call to the loader for the whole store: each call ends a batch
        // and its files, so a call per graph would open them by the thousand.
        let mut loader = load::projection_loader(&self.public, self.full.len()?);
        let projected = self.full.named_graphs().flat_map(|graph| {
            let quads = graph.and_then(|g| {
                self.full
                    .quads_for_pattern(None, None, None, Some(g.as_ref().into()))
                    .collect::<Result<Vec<_>, _>>()
            });
            match quads {
                Ok(quads) => self
                    .model
                    .policy
                    .project(&quads)
                    .into_iter()
                    .map(Ok)
                    .collect::<Vec<_>>(),
                Err(e) => vec![Err(e)],
            }
        });
        loader.load_ok_quads::<oxigraph::store::StorageError, StoreError>(projected)?;
        loader.commit()?;
        self.public.flush()?;
        self.write_marker(feed::Changed::Everything)
    }

    /// Streams the projection (or, with `full`, everything) to `writer`.
    pub fn export<W: Write>(
        &self,
        format: RdfFormat,
        full: bool,
        writer: W,
    ) -> Result<W, StoreError> {
        serialize(if full { &self.full } else { &self.public }, format, writer)
    }

    /// Consistent online backup of the full store into `target` (which must
    /// not exist yet).
    pub fn backup(&self, target: &Path) -> Result<(), StoreError> {
        std::fs::create_dir_all(target).map_err(|source| StoreError::Io {
            path: target.to_owned(),
            source,
        })?;
        self.full.flush()?;
        Ok(self.full.backup(target.join("full"))?)
    }

    /// All quads of one named graph of the full store.
    pub fn graph_quads(&self, graph: &NamedOrBlankNode) -> Result<Vec<Quad>, StoreError> {
        Ok(self
            .full
            .quads_for_pattern(None, None, None, Some(graph.as_ref().into()))
            .collect::<Result<Vec<_>, _>>()?)
    }

    fn contains_graph(&self, graph: &GraphName) -> Result<bool, StoreError> {
        Ok(match graph {
            GraphName::NamedNode(g) => self.full.contains_named_graph(g)?,
            GraphName::BlankNode(g) => self.full.contains_named_graph(g)?,
            GraphName::DefaultGraph => false,
        })
    }
}

/// Restores a backup made by [`Stores::backup`] into `dir` (which must hold no
/// store in use), then rebuilds the projection.
pub fn restore(backup: &Path, dir: &Path, base: BaseIri) -> Result<Stores, StoreError> {
    let src = backup.join("full");
    if !src.join("CURRENT").exists() {
        return Err(StoreError::Io {
            path: src,
            source: std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "aucune sauvegarde bibia ici (fichier CURRENT absent)",
            ),
        });
    }
    std::fs::create_dir_all(dir).map_err(|source| StoreError::Io {
        path: dir.to_owned(),
        source,
    })?;
    let staging = dir.join("full.restoring");
    let _ = std::fs::remove_dir_all(&staging);
    copy_dir(&src, &staging)?;
    // Check the copy opens before swapping it in.
    drop(open_store(&staging)?);
    let current = dir.join("full");
    let old = dir.join("full.old");
    let _ = std::fs::remove_dir_all(&old);
    if current.exists() {
        std::fs::rename(&current, &old).map_err(|source| StoreError::Io {
            path: current.clone(),
            source,
        })?;
    }
    std::fs::rename(&staging, &current).map_err(|source| StoreError::Io {
        path: current.clone(),
        source,
    })?;
    let _ = std::fs::remove_dir_all(&old);
    let _ = std::fs::remove_file(dir.join("public").join(MARKER));
    let stores = Stores::open(dir, base)?;
    stores.reindex()?;
    Ok(stores)
}

/// Whether `store` holds exactly `quads` (duplicates counted once) in
/// graph `graph`: a record loaded again, a replica's graph copied again.
/// Blank nodes are named anew at each parse, so a graph holding some never
/// compares equal.
fn holds_exactly(store: &Store, graph: &GraphName, quads: &[Quad]) -> Result<bool, StoreError> {
    let wanted: HashSet<&Quad> = quads.iter().collect();
    let mut stored = 0;
    for q in store.quads_for_pattern(None, None, None, Some(graph.as_ref())) {
        if !wanted.contains(&q?) {
            return Ok(false);
        }
        stored += 1;
    }
    Ok(stored == wanted.len())
}

fn copy_dir(from: &Path, to: &Path) -> Result<(), StoreError> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| StoreError::Io { path, source }
    };
    std::fs::create_dir_all(to).map_err(io(to))?;
    for entry in std::fs::read_dir(from).map_err(io(from))? {
        let entry = entry.map_err(io(from))?;
        let dest = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &dest)?;
        } else {
            std::fs::copy(entry.path(), &dest).map_err(io(&dest))?;
        }
    }
    Ok(())
}

impl From<StorageError> for StoreError {
    fn from(e: StorageError) -> Self {
        Self::Storage(e)
    }
}

impl StoreError {
    /// Whether it failed for want of disk space.
    pub fn is_disk_full(&self) -> bool {
        match self {
            Self::Storage(StorageError::Io(e))
            | Self::Io { source: e, .. }
            | Self::Layout(crate::datadir::LayoutError::Io { source: e, .. }) => {
                crate::datadir::is_disk_full(e)
            }
            Self::Storage(e) => e.to_string().contains("No space left on device"),
            _ => false,
        }
    }
}

/// What a full disk means for a store, and what to do.
const STORE_DISK_FULL: &str = "disque plein : la base refuse d'écrire, et rien n'a été écrit à moitié (ce qui était validé est gardé, le reste n'est pas entré). Libérez de la place, puis recommencez ; un `bibia serve` en cours est à redémarrer, car la base n'accepte plus d'écriture avant d'être rouverte";

/// A storage error in words: a full disk and a damaged file said as such,
/// with the file RocksDB names.
fn storage_message(e: &StorageError) -> String {
    let text = tidy(&e.to_string());
    match e {
        // RocksDB also says it inside other errors (its options file on
        // opening).
        _ if text.contains("No space left on device")
            || matches!(e, StorageError::Io(io) if crate::datadir::is_disk_full(io)) =>
        {
            match rocksdb_file(&text) {
                Some(file) => format!("{file} : {STORE_DISK_FULL}"),
                None => STORE_DISK_FULL.to_owned(),
            }
        }
        StorageError::Corruption(_) => match rocksdb_file(&text) {
            Some(file) => format!(
                "base endommagée, fichier {file} : {text} (restaurez la dernière sauvegarde, ou rechargez le dernier export dans un dossier neuf)"
            ),
            None => format!(
                "base endommagée : {text} (restaurez la dernière sauvegarde, ou rechargez le dernier export dans un dossier neuf)"
            ),
        },
        _ => format!("erreur de la base : {text}"),
    }
}

/// A RocksDB message on one line, single-spaced, without its final full
/// stop (a French sentence follows it).
fn tidy(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .trim_end_matches('.')
        .to_owned()
}

/// The first path in a RocksDB message (the file it failed on).
fn rocksdb_file(text: &str) -> Option<&str> {
    text.split_whitespace()
        .map(|w| w.trim_end_matches([':', ',', '.', ';']))
        .find(|w| w.contains('/'))
}

fn open_store(path: &Path) -> Result<Store, StoreError> {
    // Without its CURRENT file, RocksDB takes a store for a new one and
    // starts an empty store over the old files.
    if !path.join("CURRENT").exists() && has_store_files(path) {
        return Err(StoreError::Corrupt {
            store: path.to_owned(),
            file: path.join("CURRENT"),
            detail: "fichier absent, alors que le dossier contient les fichiers d'une base"
                .to_owned(),
        });
    }
    Store::open(path).map_err(|e| {
        let msg = tidy(&e.to_string());
        match &e {
            StorageError::Corruption(_)
                if msg.contains("too recent version")
                    || msg.contains("outdated encoding version")
                    || msg.contains("rdf-12") =>
            {
                StoreError::OtherStorageVersion {
                    store: path.to_owned(),
                    detail: msg,
                }
            }
            // Damaged, or a file its manifest names is missing.
            StorageError::Corruption(_) => damaged(path, msg),
            StorageError::Io(io) if io.kind() == std::io::ErrorKind::NotFound => damaged(path, msg),
            _ if msg.contains("lock") || msg.contains("LOCK") => {
                StoreError::Locked(path.to_owned())
            }
            _ => StoreError::Storage(e),
        }
    })
}

/// The store `path` does not open: `msg` names the damaged file, or says
/// it is `CURRENT`.
fn damaged(path: &Path, msg: String) -> StoreError {
    let file = match rocksdb_file(&msg) {
        Some(file) => PathBuf::from(file),
        None if msg.contains("CURRENT") => path.join("CURRENT"),
        None => path.to_owned(),
    };
    StoreError::Corrupt {
        store: path.to_owned(),
        file,
        detail: msg,
    }
}

/// Whether `path` holds RocksDB's files (a manifest, a table, a log).
fn has_store_files(path: &Path) -> bool {
    std::fs::read_dir(path).is_ok_and(|entries| {
        entries.flatten().any(|entry| {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            name.starts_with("MANIFEST-")
                || name.ends_with(".sst")
                || (name.ends_with(".log") && name.len() > 4)
        })
    })
}

/// Streams `store` to `writer` in `format`, with bibia's prefixes: its
/// quads in a dataset format, else the triples of every graph.
fn serialize<W: Write>(store: &Store, format: RdfFormat, writer: W) -> Result<W, StoreError> {
    let mut serializer = RdfSerializer::from_format(format);
    for (prefix, iri) in crate::vocab::PREFIXES {
        serializer = serializer
            .with_prefix(*prefix, *iri)
            .map_err(|e| StoreError::Serialize(e.to_string()))?;
    }
    let mut out = serializer.for_writer(writer);
    let ser = |e: std::io::Error| StoreError::Serialize(e.to_string());
    for quad in store.iter() {
        let quad = quad?;
        if format.supports_datasets() {
            out.serialize_quad(&quad).map_err(ser)?;
        } else {
            out.serialize_triple(quad.as_ref()).map_err(ser)?;
        }
    }
    out.finish().map_err(ser)
}

#[cfg(test)]
mod tests {
    use super::{rocksdb_file, tidy};

    #[test]
    fn the_damaged_file_is_read_from_rocksdb_s_message() {
        let said = tidy(
            "Corruption: Sst file size mismatch between expected 74918 and file system 1000 sstable: d/full/000013.sst  The file d/full/MANIFEST-000005 may be corrupted.",
        );
        assert_eq!(rocksdb_file(&said), Some("d/full/000013.sst"));
        assert!(said.ends_with("may be corrupted"), "{said}");
        assert_eq!(
            rocksdb_file(
                "IO error: No space left on device: While appending to file: /m/d/full/000037.log: No space left on device"
            ),
            Some("/m/d/full/000037.log")
        );
        assert_eq!(rocksdb_file("Corruption: CURRENT file corrupted"), None);
    }
}

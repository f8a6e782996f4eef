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

mod load;
mod lookup;
mod read;
mod write;

pub use crate::model::{AccessPolicy, Batch};
pub use load::{ForeignBase, LoadError, LoadSummary, foreign_base, rebase};
pub use lookup::OrganisationIndex;
pub use read::{DataVersion, Referrer, Statistics, best_text_of};
pub use write::{
    Action, Author, Entry, Precondition, Report, StoredRecord, WriteError, Written, time_of,
};

use crate::iri::BaseIri;
use crate::model::{Model, ModelError};
use crate::vocab::{self, prov};
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{GraphName, NamedOrBlankNode, Quad, vocab::rdf};
use oxigraph::store::{StorageError, Store};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

/// Errors of the storage layer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// RocksDB or oxigraph failed.
    #[error("erreur de la base : {0}")]
    Storage(#[from] StorageError),
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
    #[error("{path} : {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
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
}

const MARKER: &str = "PROJECTION";

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
        std::fs::create_dir_all(dir).map_err(|source| StoreError::Io {
            path: dir.to_owned(),
            source,
        })?;
        let full = open_store(&dir.join("full"))?;
        let public = open_store(&dir.join("public"))?;
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
        };
        let runs = stores.run_count()?;
        stores.runs.store(runs, std::sync::atomic::Ordering::SeqCst);
        stores.lock_version().generation = runs;
        if stores.projection_marker() != runs {
            tracing::warn!(
                "la projection publique est en retard sur la base complète : reconstruction"
            );
            stores.reindex()?;
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

    fn projection_marker(&self) -> u64 {
        std::fs::read_to_string(self.dir.join("public").join(MARKER))
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(0)
    }

    fn write_marker(&self) -> Result<(), StoreError> {
        let path = self.dir.join("public").join(MARKER);
        let tmp = path.with_extension("tmp");
        let n = self.runs.load(std::sync::atomic::Ordering::SeqCst);
        std::fs::write(&tmp, n.to_string()).map_err(|source| StoreError::Io {
            path: tmp.clone(),
            source,
        })?;
        std::fs::rename(&tmp, &path).map_err(|source| StoreError::Io { path, source })?;
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
        self.write_marker()
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

fn open_store(path: &Path) -> Result<Store, StoreError> {
    Store::open(path).map_err(|e| {
        let msg = e.to_string();
        if msg.contains("lock") || msg.contains("LOCK") {
            StoreError::Locked(path.to_owned())
        } else {
            StoreError::Storage(e)
        }
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

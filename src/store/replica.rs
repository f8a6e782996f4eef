//! The store of a read replica (`serve --replica-of`): a copy of a primary's
//! public projection, kept in `{data}/public/` like a primary's, and the
//! state of the copy in `{data}/replique.json` (the primary followed, the
//! position reached, the data version). A replica has no full store: it
//! never holds anything the primary does not publish.
//!
//! Both ways of catching up replace whole graphs: the graphs a few runs
//! changed, in one transaction; or every graph of the primary's
//! projection, one graph at a time, only those that differ, then the
//! graphs the primary no longer has are removed. Readers see each graph
//! before or after, never half-replaced.

use super::read::DataVersion;
use super::{Position, PublicStore, StoreError, open_store};
use oxigraph::model::{GraphName, GraphNameRef, Quad};
use oxigraph::store::{StorageError, Store, Transaction};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

/// The file that makes a data directory a replica's.
pub(crate) const STATE: &str = "replique.json";

/// What `replique.json` holds.
#[derive(Debug, Default, Serialize, Deserialize)]
struct State {
    /// The primary's address.
    source: String,
    /// The position reached (see [`Position`]); none before the first copy.
    position: Option<String>,
    /// The primary's base IRI, as last learnt from it.
    #[serde(default)]
    base: Option<String>,
    /// The data version, kept across restarts so that the search index and
    /// the dumps left on disk are only reused for the data they were made
    /// from.
    generation: u64,
}

/// What a complete copy did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Copied {
    /// Quads received.
    pub quads: usize,
    /// Graphs replaced because they differed (or were new).
    pub replaced: usize,
    /// Graphs already identical.
    pub unchanged: usize,
    /// Graphs the primary no longer has, removed.
    pub removed: usize,
}

/// A replica's copy of the projection.
pub struct ReplicaStore {
    public: Store,
    dir: PathBuf,
    version: Arc<Mutex<DataVersion>>,
    state: Mutex<State>,
}

/// Refuses to open a primary's stores in a replica's data directory.
pub(super) fn refuse_replica_dir(dir: &Path) -> Result<(), StoreError> {
    if dir.join(STATE).exists() {
        return Err(StoreError::Replica(dir.to_owned()));
    }
    Ok(())
}

impl ReplicaStore {
    /// Opens (or creates) a replica of `source` in `dir`. A directory that
    /// holds a primary's stores is refused.
    pub fn open(dir: &Path, source: &str) -> Result<Self, StoreError> {
        let io = |path: &Path| {
            let path = path.to_owned();
            move |source| StoreError::Io { path, source }
        };
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        if dir.join("full").exists() {
            return Err(StoreError::Primary(dir.to_owned()));
        }
        let path = dir.join(STATE);
        let mut state: State = match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| StoreError::Io {
                path: path.clone(),
                source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => State::default(),
            Err(e) => return Err(io(&path)(e)),
        };
        if state.source != source {
            if !state.source.is_empty() {
                tracing::warn!(
                    "réplique de {} désormais de {source} : elle sera recopiée en entier",
                    state.source
                );
            }
            state.source = source.to_owned();
            state.position = None;
        }
        let public = open_store(&dir.join("public"))?;
        let modified = std::fs::metadata(&path)
            .and_then(|m| m.modified())
            .unwrap_or_else(|_| SystemTime::now());
        let replica = Self {
            public,
            dir: dir.to_owned(),
            version: Arc::new(Mutex::new(DataVersion::initial(state.generation, modified))),
            state: Mutex::new(state),
        };
        replica.save()?;
        Ok(replica)
    }

    /// A handle on the copy, for the HTTP surface.
    pub fn public(&self) -> PublicStore {
        PublicStore(self.public.clone(), Arc::clone(&self.version))
    }

    /// The primary's base IRI, as last learnt.
    pub fn base(&self) -> Option<String> {
        self.lock().base.clone()
    }

    /// Keeps the primary's base IRI.
    pub fn set_base(&self, base: &str) -> Result<(), StoreError> {
        self.lock().base = Some(base.to_owned());
        self.save()
    }

    /// The position reached, if any copy was made.
    pub fn position(&self) -> Option<Position> {
        self.lock().position.as_deref().and_then(|p| p.parse().ok())
    }

    /// Replaces `graphs` (removing those without quads) with `quads`, in one
    /// transaction, and moves to `position`.
    pub fn apply(
        &self,
        position: Position,
        graphs: &[GraphName],
        quads: &[Quad],
    ) -> Result<(), StoreError> {
        let mut txn = self.public.start_transaction()?;
        for g in graphs {
            remove_graph(&mut txn, g)?;
        }
        for q in quads {
            txn.insert(q);
        }
        txn.commit()?;
        self.moved_to(position)
    }

    /// Makes the copy equal to `quads` (a primary's whole projection,
    /// grouped by graph as the feed sends it), graph by graph, and moves to
    /// `position`.
    pub fn replace_all(
        &self,
        position: Position,
        quads: impl Iterator<Item = Result<Quad, StoreError>>,
    ) -> Result<Copied, StoreError> {
        let mut copied = Copied::default();
        if self.public.is_empty()? {
            // A first copy: nothing to compare with, one bulk load.
            let mut loader = super::load::projection_loader(&self.public, 1_000_000);
            let mut graphs = HashSet::new();
            loader.load_ok_quads::<StoreError, StoreError>(quads.inspect(|q| {
                if let Ok(q) = q {
                    copied.quads += 1;
                    if !graphs.contains(&q.graph_name) {
                        graphs.insert(q.graph_name.clone());
                    }
                }
            }))?;
            loader.commit()?;
            copied.replaced = graphs.len();
            self.moved_to(position)?;
            return Ok(copied);
        }
        let mut seen: HashSet<GraphName> = HashSet::new();
        let mut batch: Vec<Quad> = Vec::new();
        for quad in quads {
            let quad = quad?;
            copied.quads += 1;
            if batch
                .last()
                .is_some_and(|q| q.graph_name != quad.graph_name)
            {
                self.copy_graph(std::mem::take(&mut batch), &mut seen, &mut copied)?;
            }
            batch.push(quad);
        }
        self.copy_graph(batch, &mut seen, &mut copied)?;
        let mut gone: Vec<GraphName> = Vec::new();
        for g in self.public.named_graphs() {
            let g = GraphName::from(g?);
            if !seen.contains(&g) {
                gone.push(g);
            }
        }
        if !seen.contains(&GraphName::DefaultGraph)
            && self
                .public
                .quads_for_pattern(None, None, None, Some(GraphNameRef::DefaultGraph))
                .next()
                .is_some()
        {
            gone.push(GraphName::DefaultGraph);
        }
        copied.removed = gone.len();
        if !gone.is_empty() {
            self.apply(position, &gone, &[])?;
        } else {
            self.moved_to(position)?;
        }
        Ok(copied)
    }

    /// Puts one graph of a complete copy in place, unless it is already.
    fn copy_graph(
        &self,
        batch: Vec<Quad>,
        seen: &mut HashSet<GraphName>,
        copied: &mut Copied,
    ) -> Result<(), StoreError> {
        let Some(graph) = batch.first().map(|q| q.graph_name.clone()) else {
            return Ok(());
        };
        if !seen.insert(graph.clone()) {
            // The same graph again further on: add to it.
            let mut txn = self.public.start_transaction()?;
            for q in &batch {
                txn.insert(q);
            }
            txn.commit()?;
            return Ok(());
        }
        if super::holds_exactly(&self.public, &graph, &batch)? {
            copied.unchanged += 1;
            return Ok(());
        }
        copied.replaced += 1;
        let mut txn = self.public.start_transaction()?;
        remove_graph(&mut txn, &graph)?;
        for q in &batch {
            txn.insert(q);
        }
        txn.commit()?;
        Ok(())
    }

    /// Records the new position and data version.
    fn moved_to(&self, position: Position) -> Result<(), StoreError> {
        {
            let mut state = self.lock();
            state.position = Some(position.to_string());
            state.generation += 1;
        }
        self.save()?;
        let mut version = self.version.lock().unwrap_or_else(PoisonError::into_inner);
        version.advance(SystemTime::now());
        Ok(())
    }

    /// Writes `replique.json` (temporary file, then renamed).
    fn save(&self) -> Result<(), StoreError> {
        let path = self.dir.join(STATE);
        let tmp = path.with_extension("json.tmp");
        let bytes = serde_json::to_vec_pretty(&*self.lock())
            .map_err(|e| StoreError::Serialize(e.to_string()))?;
        std::fs::write(&tmp, bytes).map_err(|source| StoreError::Io {
            path: tmp.clone(),
            source,
        })?;
        std::fs::rename(&tmp, &path).map_err(|source| StoreError::Io { path, source })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Removes a graph (the default graph is emptied).
fn remove_graph(txn: &mut Transaction<'_>, graph: &GraphName) -> Result<(), StorageError> {
    match graph {
        GraphName::NamedNode(n) => txn.remove_named_graph(n),
        GraphName::BlankNode(b) => txn.remove_named_graph(b),
        GraphName::DefaultGraph => txn.clear_graph(GraphNameRef::DefaultGraph),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::{Literal, NamedNode};

    fn quad(s: &str, o: &str, g: &str) -> Quad {
        Quad::new(
            NamedNode::new_unchecked(format!("https://example.org/{s}")),
            NamedNode::new_unchecked("https://example.org/p"),
            Literal::from(o),
            NamedNode::new_unchecked(format!("https://example.org/{g}")),
        )
    }

    fn contents(store: &ReplicaStore) -> HashSet<Quad> {
        store
            .public
            .iter()
            .collect::<Result<_, _>>()
            .expect("readable")
    }

    #[test]
    fn a_complete_copy_replaces_only_what_differs_and_removes_what_is_gone() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = ReplicaStore::open(dir.path(), "http://primaire/").expect("opens");
        let at = |sequence| Position { epoch: 1, sequence };
        let first = [
            quad("a", "1", "g1"),
            quad("b", "1", "g2"),
            quad("c", "1", "g3"),
        ];
        let copied = store
            .replace_all(at(1), first.iter().cloned().map(Ok))
            .expect("copied");
        assert_eq!((copied.quads, copied.replaced), (3, 3));
        assert_eq!(contents(&store), first.iter().cloned().collect());
        // g1 unchanged, g2 changed, g3 gone, g4 new.
        let second = [
            quad("a", "1", "g1"),
            quad("b", "2", "g2"),
            quad("d", "1", "g4"),
        ];
        let copied = store
            .replace_all(at(2), second.iter().cloned().map(Ok))
            .expect("copied");
        assert_eq!(
            copied,
            Copied {
                quads: 3,
                replaced: 2,
                unchanged: 1,
                removed: 1
            }
        );
        assert_eq!(contents(&store), second.iter().cloned().collect());
        assert_eq!(store.position(), Some(at(2)));
        // An update: g2 replaced, g4 removed (announced without quads).
        let g = |name: &str| {
            GraphName::from(NamedNode::new_unchecked(format!(
                "https://example.org/{name}"
            )))
        };
        store
            .apply(at(3), &[g("g2"), g("g4")], &[quad("b", "3", "g2")])
            .expect("applied");
        assert_eq!(
            contents(&store),
            [quad("a", "1", "g1"), quad("b", "3", "g2")]
                .into_iter()
                .collect()
        );
        // The position and the data version survive a restart.
        let generation = store.public().version().generation;
        drop(store);
        let store = ReplicaStore::open(dir.path(), "http://primaire/").expect("reopens");
        assert_eq!(store.position(), Some(at(3)));
        assert_eq!(store.public().version().generation, generation);
        // Following another primary starts over.
        drop(store);
        let store = ReplicaStore::open(dir.path(), "http://autre/").expect("reopens");
        assert_eq!(store.position(), None);
    }

    #[test]
    fn a_primary_directory_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("full")).expect("mkdir");
        assert!(matches!(
            ReplicaStore::open(dir.path(), "http://primaire/"),
            Err(StoreError::Primary(_))
        ));
    }
}

//! Validated, atomic writes: a batch of files is split into record graphs,
//! validated against the shapes with the context its records link to, then
//! committed to the full store in one step and projected.

use super::{StoreError, Stores};
use crate::iri::BaseIri;
use crate::model::Batch;
use crate::shacl::ValidationReport;
use crate::vocab::{self, prov};
use oxigraph::model::{
    GraphName, Literal, NamedNode, NamedOrBlankNode, Quad, Term, vocab::rdf, vocab::rdfs,
    vocab::xsd,
};
use oxigraph::store::{BulkLoader, Store};
use std::collections::{HashMap, HashSet};
use std::time::{SystemTime, UNIX_EPOCH};

/// A load that was refused. Nothing was written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The data does not conform to the shapes.
    #[error("les données ne sont pas conformes aux formes : {} problème(s) ; rien n'a été écrit", report.results().iter().filter(|r| r.severity() == &crate::shacl::Severity::Violation).count())]
    NotConform {
        /// The validation report.
        report: Box<ValidationReport>,
        /// Focus node → (file, line), where known.
        locations: HashMap<Term, (String, usize)>,
    },
    /// The records of a file were minted under another base IRI than the
    /// store's (exported from a service at another address).
    #[error(transparent)]
    ForeignBase(#[from] ForeignBase),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A file whose records are named under another base IRI than the store's:
/// loaded as they are, they would be records of no kind the store knows and
/// every list value would be refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{file} : les fiches de ce fichier sont nommées sous l'IRI de base {found} (par exemple {example}), mais cette base utilise {expected} : telles quelles, elles n'y seraient pas reconnues ; rien n'a été écrit"
)]
pub struct ForeignBase {
    /// The file.
    pub file: String,
    /// The base its records were minted under (see [`crate::iri::minted_base`]).
    pub found: String,
    /// The store's base.
    pub expected: String,
    /// One of its record IRIs.
    pub example: String,
}

/// A subject that is a record IRI minted under another base than `base`
/// (see [`crate::iri::minted_base`]): the IRI and that base.
fn foreign_minted<'a>(subject: &'a NamedOrBlankNode, base: &BaseIri) -> Option<(&'a str, &'a str)> {
    let NamedOrBlankNode::NamedNode(s) = subject else {
        return None;
    };
    let s = s.as_str();
    if base.relative(s).is_some_and(|rest| rest.starts_with("id/")) {
        return None;
    }
    crate::iri::minted_base(s)
        .filter(|found| *found != base.as_str())
        .map(|found| (s, found))
}

/// The first batch whose subjects include a record IRI minted under
/// another base than `base` (see [`crate::iri::minted_base`]).
pub fn foreign_base(batches: &[Batch], base: &BaseIri) -> Option<ForeignBase> {
    batches.iter().find_map(|batch| {
        batch.quads.iter().find_map(|q| {
            let (example, found) = foreign_minted(&q.subject, base)?;
            Some(ForeignBase {
                file: batch.name.clone(),
                found: found.to_owned(),
                expected: base.as_str().to_owned(),
                example: example.to_owned(),
            })
        })
    })
}

/// Renames, in every batch, the IRIs minted under another base than `base`
/// (the bases its subjects' record IRIs show) to the same path under
/// `base`: subjects, objects and graph names. Returns the bases renamed.
pub fn rebase(batches: &mut [Batch], base: &BaseIri) -> Vec<String> {
    let mut renamed: Vec<String> = Vec::new();
    for batch in batches.iter_mut() {
        let mut foreign: Vec<String> = Vec::new();
        for q in &batch.quads {
            if let Some((_, found)) = foreign_minted(&q.subject, base)
                && !foreign.iter().any(|f| f == found)
            {
                foreign.push(found.to_owned());
            }
        }
        if foreign.is_empty() {
            continue;
        }
        // An IRI under both bases belongs to the longer one.
        let move_iri = |n: &NamedNode| {
            let iri = n.as_str();
            foreign
                .iter()
                .filter(|f| !(iri.starts_with(base.as_str()) && base.as_str().len() >= f.len()))
                .find_map(|f| iri.strip_prefix(f.as_str()))
                .map(|rest| base.join(rest))
        };
        for q in &mut batch.quads {
            if let NamedOrBlankNode::NamedNode(s) = &q.subject
                && let Some(n) = move_iri(s)
            {
                q.subject = n.into();
            }
            if let Term::NamedNode(o) = &q.object
                && let Some(n) = move_iri(o)
            {
                q.object = n.into();
            }
            if let GraphName::NamedNode(g) = &q.graph_name
                && let Some(n) = move_iri(g)
            {
                q.graph_name = n.into();
            }
        }
        for f in foreign {
            if !renamed.contains(&f) {
                renamed.push(f);
            }
        }
    }
    renamed
}

impl From<oxigraph::store::StorageError> for LoadError {
    fn from(e: oxigraph::store::StorageError) -> Self {
        Self::Store(e.into())
    }
}

/// What a load wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadSummary {
    /// Quads written to the full store.
    pub quads: usize,
    /// Record graphs written.
    pub graphs: usize,
    /// Of which, graphs that replaced an existing record.
    pub replaced: usize,
    /// Of which, graphs stored already with exactly these quads (a file
    /// loaded again): left as they are, not written again.
    pub unchanged: usize,
    /// Quads that reached the public projection.
    pub public_quads: usize,
}

/// The quads of a write, grouped by record graph in first-seen order, each
/// group without duplicates.
type Groups = Vec<(GraphName, Vec<Quad>)>;

/// Groups the batches' quads by record graph (see [`crate::model::assign_graphs`]) and
/// keeps the text of each source, for locating failing records.
fn group(batches: Vec<Batch>, base: &BaseIri) -> (Groups, Vec<(String, String)>) {
    let mut groups: Groups = Vec::new();
    let mut index: HashMap<GraphName, usize> = HashMap::new();
    let mut texts = Vec::new();
    for batch in batches {
        let stem = std::path::Path::new(&batch.name)
            .file_name()
            .map_or_else(|| batch.name.clone(), |n| n.to_string_lossy().into_owned());
        let mut assigner = crate::model::GraphAssigner::new(&batch.quads, base, &stem);
        let mut last: Option<usize> = None;
        for q in batch.quads {
            let g = assigner.graph_of(&q);
            let i = match last {
                Some(i) if groups[i].0 == g => i,
                _ => *index.entry(g.clone()).or_insert_with(|| {
                    groups.push((g.clone(), Vec::new()));
                    groups.len() - 1
                }),
            };
            last = Some(i);
            groups[i]
                .1
                .push(Quad::new(q.subject, q.predicate, q.object, g));
        }
        if let Some(text) = batch.text {
            texts.push((batch.name, text));
        }
    }
    for (_, quads) in &mut groups {
        dedup(quads);
    }
    (groups, texts)
}

/// Removes repeated quads, keeping the first of each.
fn dedup(quads: &mut Vec<Quad>) {
    let keep: Vec<bool> = {
        let mut seen = HashSet::with_capacity(quads.len());
        quads.iter().map(|q| seen.insert(q.as_ref())).collect()
    };
    if keep.iter().all(|k| *k) {
        return;
    }
    let mut keep = keep.into_iter();
    quads.retain(|_| keep.next().unwrap_or(true));
}

/// A bulk loader that spreads `quads` over every core: oxigraph's loader
/// gives each batch to one thread, so one batch per thread.
fn bulk_loader(store: &Store, quads: usize) -> BulkLoader<'_> {
    let threads = std::thread::available_parallelism()
        .map_or(2, std::num::NonZero::get)
        .max(2);
    let batch = quads.div_ceil(threads).clamp(10_000, 1_000_000);
    store
        .bulk_loader()
        .with_num_threads(threads)
        .with_max_memory_size_in_megabytes((batch * threads).div_ceil(1000))
}

/// Largest batch of the projection's loader.
const PROJECTION_BATCH: usize = 4_000_000;

/// The loader of the public projection, the store every public query reads:
/// up to [`PROJECTION_BATCH`] quads, one batch, so one sorted file per index
/// instead of one per thread. Overlapping files are all read by every range
/// scan; with two of them the example queries ran about 30 % slower than on
/// the same data loaded as one. The projection's files are prepared while
/// the full store's loader keeps the cores busy, so this costs little time.
pub(super) fn projection_loader(store: &Store, quads: usize) -> BulkLoader<'_> {
    let batch = quads.clamp(10_000, PROJECTION_BATCH);
    store
        .bulk_loader()
        .with_num_threads(1)
        .with_max_memory_size_in_megabytes(batch.div_ceil(1000))
}

/// With the `fault-injection` feature and `BIBIA_FAULT=pause-after-full-commit`,
/// says so on stderr and waits, so that a script can kill the process between
/// the two commits (see `scripts/crash-load.sh`).
pub(super) fn fault_point() {
    #[cfg(feature = "fault-injection")]
    if std::env::var("BIBIA_FAULT").is_ok_and(|v| v == "pause-after-full-commit") {
        eprintln!("BIBIA_FAULT: base complète validée, projection pas encore écrite");
        std::thread::sleep(std::time::Duration::from_secs(600));
    }
}

/// The result of a scoped thread, its panic carried on.
fn joined<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> T {
    handle
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

impl Stores {
    /// Validates and commits `batches` as one atomic write: either every
    /// record graph is written (replacing the stored version of the same
    /// record) or nothing is. Files whose records were minted under another
    /// base IRI are refused first ([`LoadError::ForeignBase`]). `progress`
    /// receives the number of quads written.
    pub fn load(
        &self,
        batches: Vec<Batch>,
        progress: impl Fn(u64) + Send + Sync + 'static,
    ) -> Result<LoadSummary, LoadError> {
        if let Some(foreign) = foreign_base(&batches, &self.base) {
            return Err(foreign.into());
        }
        let _writing = self.writing();
        let clock = std::time::Instant::now();
        let phase = |what: &str| tracing::debug!("{what} : {:.2} s", clock.elapsed().as_secs_f64());
        let names: Vec<String> = batches.iter().map(|b| b.name.clone()).collect();
        let (mut groups, texts) = group(batches, &self.base);
        phase("graphes assignés");
        let mut summary = LoadSummary {
            graphs: groups.len(),
            quads: groups.iter().map(|(_, qs)| qs.len()).sum(),
            ..LoadSummary::default()
        };
        // A record stored already with exactly these quads (a reference
        // file loaded again) is left alone: rewriting it would change
        // nothing but the time taken, and would turn a load of new records
        // into a replacement, which goes through a transaction.
        let mut existing = Vec::new();
        let mut unchanged = HashSet::new();
        for (g, qs) in &groups {
            if self.contains_graph(g)? {
                if super::holds_exactly(&self.full, g, qs)? {
                    unchanged.insert(g.clone());
                } else {
                    existing.push(g.clone());
                }
            }
        }
        if !unchanged.is_empty() {
            groups.retain(|(g, _)| !unchanged.contains(g));
            summary.unchanged = unchanged.len();
            phase("graphes inchangés écartés");
        }
        summary.replaced = existing.len();
        if groups.is_empty() {
            // Nothing new: no run, no new version of the data.
            return Ok(summary);
        }
        let run = self.run_quads(&names, groups.len());
        if existing.is_empty() {
            summary.public_quads = self.write_new(&groups, &texts, run, progress)?;
            phase("écrit");
            return Ok(summary);
        }
        self.validate(&groups, &texts)?;
        let public = self.public_quads(&groups);
        summary.public_quads = public.len();
        let mut txn = self.full.start_transaction()?;
        for g in &existing {
            if let Some(g) = named(g) {
                txn.remove_named_graph(&g)?;
            }
        }
        for q in groups.iter().flat_map(|(_, qs)| qs).chain(&run) {
            txn.insert(q);
        }
        txn.commit()?;
        self.count_run_of(&groups)?;
        fault_point();
        self.project(existing, public)?;
        Ok(summary)
    }

    /// Writes records none of which is stored yet, with the bulk loaders:
    /// validation, the full store's and the projection's sorted files are
    /// prepared side by side; the files are ingested only once validation
    /// passed (dropped loaders delete theirs). Returns the public quad count.
    fn write_new(
        &self,
        groups: &Groups,
        texts: &[(String, String)],
        run: Vec<Quad>,
        progress: impl Fn(u64) + Send + Sync + 'static,
    ) -> Result<usize, LoadError> {
        let total = groups.iter().map(|(_, qs)| qs.len()).sum::<usize>() + run.len();
        std::thread::scope(|scope| {
            let validation = scope.spawn(|| self.validate(groups, texts));
            let public = scope.spawn(|| -> Result<_, StoreError> {
                let public = self.public_quads(groups);
                let count = public.len();
                let mut loader = projection_loader(&self.public, count);
                loader.load_quads(public)?;
                Ok((loader, count))
            });
            let mut full = bulk_loader(&self.full, total).on_progress(progress);
            let prepared =
                full.load_quads(groups.iter().flat_map(|(_, qs)| qs).cloned().chain(run));
            let public = joined(public);
            joined(validation)?;
            prepared?;
            let (public, count) = public?;
            full.commit()?;
            self.count_run_of(groups)?;
            fault_point();
            public.commit()?;
            self.write_marker(super::feed::Changed::of(
                groups.iter().map(|(g, _)| g.clone()),
                [],
            ))?;
            Ok(count)
        })
    }

    /// The public part of the records (see [`AccessPolicy::project`]).
    ///
    /// [`AccessPolicy::project`]: super::AccessPolicy::project
    fn public_quads(&self, groups: &Groups) -> Vec<Quad> {
        groups
            .iter()
            .flat_map(|(_, qs)| self.model.policy.project(qs))
            .collect()
    }

    /// Replaces the public part of the `replaced` records of a committed
    /// load, then writes the marker saying the projection is up to date.
    pub(super) fn project(
        &self,
        replaced: Vec<GraphName>,
        public: Vec<Quad>,
    ) -> Result<(), StoreError> {
        let mut txn = self.public.start_transaction()?;
        for g in &replaced {
            if let Some(g) = named(g) {
                txn.remove_named_graph(&g)?;
            }
        }
        for q in &public {
            txn.insert(q);
        }
        txn.commit()?;
        self.write_marker(super::feed::Changed::of(replaced, &public))
    }

    /// The provenance of this write, in the private system graph: one
    /// `prov:Activity` per run (its count is the projection's generation).
    pub(super) fn run_quads(&self, names: &[String], graphs: usize) -> Vec<Quad> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let run = NamedNode::new_unchecked(format!("urn:bibia:run:{}", now.as_nanos()));
        let g = GraphName::from(vocab::SYSTEM_GRAPH);
        let quads = vec![
            Quad::new(run.clone(), rdf::TYPE, prov::ACTIVITY, g.clone()),
            Quad::new(
                run.clone(),
                prov::STARTED_AT_TIME,
                Literal::new_typed_literal(crate::time::now_xsd(), xsd::DATE_TIME),
                g.clone(),
            ),
            Quad::new(
                run.clone(),
                rdfs::COMMENT,
                Literal::from(format!("{} graphe(s) depuis {}", graphs, names.join(", "))),
                g.clone(),
            ),
        ];
        quads
    }

    /// Record-scoped validation: the records of the batch, plus the model
    /// and the types and schemes of the stored nodes they link to.
    fn validate(&self, groups: &Groups, texts: &[(String, String)]) -> Result<(), LoadError> {
        let report = self.validate_records(groups.iter().flat_map(|(_, qs)| qs))?;
        if !report.has_violations() {
            return Ok(());
        }
        let mut locations = HashMap::new();
        for r in report.results() {
            let node = r.focus_node().clone();
            if let Term::NamedNode(n) = &node
                && let Some(found) = texts.iter().find_map(|(name, text)| {
                    crate::rdf::line_of(text, n.as_str(), self.base.as_str())
                        .map(|l| (name.clone(), l))
                })
            {
                locations.insert(node, found);
            }
        }
        Err(LoadError::NotConform {
            report: Box::new(report),
            locations,
        })
    }
}

fn named(g: &GraphName) -> Option<NamedOrBlankNode> {
    match g {
        GraphName::NamedNode(n) => Some(n.clone().into()),
        GraphName::BlankNode(b) => Some(b.clone().into()),
        GraphName::DefaultGraph => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(iris: &[(&str, &str)]) -> Batch {
        let g = GraphName::DefaultGraph;
        Batch {
            name: "export.nq".into(),
            quads: iris
                .iter()
                .map(|(s, o)| {
                    Quad::new(
                        NamedNode::new_unchecked(*s),
                        rdf::TYPE,
                        NamedNode::new_unchecked(*o),
                        g.clone(),
                    )
                })
                .collect(),
            text: None,
        }
    }

    #[test]
    fn records_minted_under_another_base_are_found_and_rebased() {
        let base = BaseIri::parse("http://localhost:8080/bibia/").expect("base");
        let mut batches = vec![batch(&[
            (
                "http://localhost:8080/bibia/id/projet/a",
                "http://localhost:8080/bibia/id/concept/statut/terminee",
            ),
            (
                "http://localhost:8080/id/projet/b",
                "http://localhost:8080/id/concept/statut/terminee",
            ),
            ("http://id.insee.fr/geo/commune/01001", "http://e/Commune"),
        ])];
        let found = foreign_base(&batches, &base).expect("found");
        assert_eq!(
            (found.found.as_str(), found.example.as_str()),
            (
                "http://localhost:8080/",
                "http://localhost:8080/id/projet/b"
            )
        );
        assert_eq!(rebase(&mut batches, &base), ["http://localhost:8080/"]);
        assert!(foreign_base(&batches, &base).is_none());
        let objects: Vec<String> = batches[0]
            .quads
            .iter()
            .map(|q| format!("{} {}", q.subject, q.object))
            .collect();
        assert_eq!(
            objects,
            [
                // Already under the store's (longer) base: unchanged.
                "<http://localhost:8080/bibia/id/projet/a> <http://localhost:8080/bibia/id/concept/statut/terminee>",
                "<http://localhost:8080/bibia/id/projet/b> <http://localhost:8080/bibia/id/concept/statut/terminee>",
                "<http://id.insee.fr/geo/commune/01001> <http://e/Commune>",
            ]
        );
    }
}

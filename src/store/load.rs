//! Validated, atomic writes: a batch of files is split into record graphs,
//! validated against the shapes with the context its records link to, then
//! committed to the full store in one step and projected.

use super::{StoreError, Stores};
use crate::iri::{BaseIri, slug};
use crate::shacl::ValidationReport;
use crate::vocab::{self, prov};
use oxigraph::model::{
    BlankNode, GraphName, Literal, NamedNode, NamedOrBlankNode, Quad, Term, vocab::rdf,
    vocab::rdfs, vocab::xsd,
};
use std::collections::{HashMap, HashSet};
use std::time::{SystemTime, UNIX_EPOCH};

/// One source of quads to load, with the text it came from (for locating
/// failing records).
#[derive(Debug, Clone)]
pub struct Batch {
    /// The file name shown in reports.
    pub name: String,
    /// The parsed quads (default graph quads are assigned to record graphs).
    pub quads: Vec<Quad>,
    /// The source text, when it is text, to find the line of a record.
    pub text: Option<String>,
}

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
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
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
    /// Quads that reached the public projection.
    pub public_quads: usize,
}

/// Puts every default-graph quad in the named graph of its record (see
/// [`BaseIri::record_of`]); blank nodes follow the subject that refers to
/// them; anything else goes to a graph named after the source.
pub fn assign_graphs(quads: Vec<Quad>, base: &BaseIri, source: &str) -> Vec<Quad> {
    let fallback = GraphName::from(base.join(&format!("graph/source/{}", slug(source))));
    let mut referrer: HashMap<BlankNode, NamedOrBlankNode> = HashMap::new();
    for q in &quads {
        if let Term::BlankNode(b) = &q.object {
            referrer
                .entry(b.clone())
                .or_insert_with(|| q.subject.clone());
        }
    }
    let graph_of = |subject: &NamedOrBlankNode| -> GraphName {
        let mut s = subject.clone();
        for _ in 0..64 {
            match s {
                NamedOrBlankNode::NamedNode(n) => {
                    return base
                        .record_of(n.as_ref())
                        .map_or_else(|| fallback.clone(), GraphName::from);
                }
                NamedOrBlankNode::BlankNode(b) => match referrer.get(&b) {
                    Some(next) => s = next.clone(),
                    None => return fallback.clone(),
                },
            }
        }
        fallback.clone()
    };
    quads
        .into_iter()
        .map(|q| {
            if q.graph_name.is_default_graph() {
                let g = graph_of(&q.subject);
                Quad::new(q.subject, q.predicate, q.object, g)
            } else {
                q
            }
        })
        .collect()
}

impl Stores {
    /// Validates and commits `batches` as one atomic write: either every
    /// record graph is written (replacing the stored version of the same
    /// record) or nothing is. `progress` receives the number of quads written.
    pub fn load(
        &self,
        batches: Vec<Batch>,
        progress: impl Fn(u64) + Send + Sync + 'static,
    ) -> Result<LoadSummary, LoadError> {
        let names: Vec<String> = batches.iter().map(|b| b.name.clone()).collect();
        let mut texts = Vec::new();
        let mut by_graph: HashMap<GraphName, Vec<Quad>> = HashMap::new();
        let mut seen = HashSet::new();
        for batch in batches {
            let stem = std::path::Path::new(&batch.name)
                .file_name()
                .map_or_else(|| batch.name.clone(), |n| n.to_string_lossy().into_owned());
            for q in assign_graphs(batch.quads, &self.base, &stem) {
                if seen.insert(q.clone()) {
                    by_graph.entry(q.graph_name.clone()).or_default().push(q);
                }
            }
            if let Some(text) = batch.text {
                texts.push((batch.name, text));
            }
        }
        drop(seen);
        self.validate(&by_graph, &texts)?;

        let mut summary = LoadSummary {
            graphs: by_graph.len(),
            ..LoadSummary::default()
        };
        let mut existing = Vec::new();
        for g in by_graph.keys() {
            if self.contains_graph(g)? {
                existing.push(g.clone());
            }
        }
        summary.replaced = existing.len();
        let run = self.run_quads(&names, &by_graph);
        let public: Vec<Quad> = by_graph
            .values()
            .flat_map(|qs| self.model.policy.project(qs))
            .collect();
        summary.public_quads = public.len();
        summary.quads = by_graph.values().map(Vec::len).sum();

        if existing.is_empty() {
            let mut loader = self.full.bulk_loader().on_progress(progress);
            loader.load_quads(by_graph.into_values().flatten().chain(run))?;
            loader.commit()?;
            self.project(existing, public)?;
        } else {
            let mut txn = self.full.start_transaction()?;
            for g in &existing {
                if let Some(g) = named(g) {
                    txn.remove_named_graph(&g)?;
                }
            }
            for q in by_graph.values().flatten().chain(run.iter()) {
                txn.insert(q);
            }
            txn.commit()?;
            self.project(existing, public)?;
        }
        Ok(summary)
    }

    /// Writes the public part of a committed load, then the marker saying
    /// the projection is up to date.
    fn project(&self, replaced: Vec<GraphName>, public: Vec<Quad>) -> Result<(), StoreError> {
        if replaced.is_empty() {
            let mut loader = self.public.bulk_loader();
            loader.load_quads(public)?;
            loader.commit()?;
        } else {
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
        }
        self.write_marker()
    }

    /// The provenance of this write, in the private system graph: one
    /// `prov:Activity` per run (its count is the projection's generation).
    fn run_quads(&self, names: &[String], by_graph: &HashMap<GraphName, Vec<Quad>>) -> Vec<Quad> {
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
                Literal::from(format!(
                    "{} graphe(s) depuis {}",
                    by_graph.len(),
                    names.join(", ")
                )),
                g.clone(),
            ),
        ];
        quads
    }

    /// Record-scoped validation: the records of the batch, plus the model
    /// and the types and schemes of the stored nodes they link to.
    fn validate(
        &self,
        by_graph: &HashMap<GraphName, Vec<Quad>>,
        texts: &[(String, String)],
    ) -> Result<(), LoadError> {
        let report = self.validate_records(by_graph.values().flatten())?;
        if !report.has_violations() {
            return Ok(());
        }
        let mut locations = HashMap::new();
        for r in report.results() {
            let node = r.focus_node().clone();
            if let Term::NamedNode(n) = &node {
                if let Some(found) = texts.iter().find_map(|(name, text)| {
                    crate::rdf::line_of(text, n.as_str(), self.base.as_str())
                        .map(|l| (name.clone(), l))
                }) {
                    locations.insert(node, found);
                }
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

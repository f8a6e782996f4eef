//! Reads of the public projection for the pages, lists and data documents:
//! the triples of a record graph, what links to a node, the instances of a
//! class, labels, and the version of the data that caches are keyed on.
//!
//! Every read goes to the public projection only: a page cannot show what
//! the projection never received.

use super::{PublicStore, StoreError};
use crate::vocab::{dcterms, foaf, schema, skos};
use oxigraph::io::RdfFormat;
use oxigraph::model::vocab::{rdf, rdfs};
use oxigraph::model::{
    GraphName, GraphNameRef, NamedNode, NamedNodeRef, NamedOrBlankNode, Quad, Term, TermRef, Triple,
};
use std::collections::hash_map::{DefaultHasher, RandomState};
use std::collections::{BTreeMap, HashSet};
use std::hash::{BuildHasher as _, Hash as _, Hasher as _};
use std::sync::PoisonError;
use std::time::SystemTime;

/// The version of the public data. Every write to the projection (a load,
/// an import, a rebuild) advances it, in this process and in every
/// [`PublicStore`] handle taken from the same stores; what is derived from
/// the data (page caches) is keyed on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataVersion {
    /// Increases with each write.
    pub generation: u64,
    /// When the projection last changed (the time of the last write, or of
    /// the projection's marker file when the process started).
    pub modified: SystemTime,
}

impl DataVersion {
    pub(super) fn initial(generation: u64, modified: SystemTime) -> Self {
        Self {
            generation,
            modified,
        }
    }

    pub(super) fn advance(&mut self, now: SystemTime) {
        self.generation += 1;
        self.modified = now;
    }
}

/// A triple whose object is the node asked about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Referrer {
    /// The subject that links to the node.
    pub subject: NamedOrBlankNode,
    /// The property it links with.
    pub predicate: NamedNode,
}

/// The properties that name a thing, most specific first.
const NAMES: [NamedNodeRef<'static>; 5] = [
    dcterms::TITLE,
    foaf::NAME,
    schema::NAME,
    skos::PREF_LABEL,
    rdfs::LABEL,
];

impl PublicStore {
    /// The version of the data.
    pub fn version(&self) -> DataVersion {
        *self.1.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Every triple of one record graph (empty when there is no such graph).
    pub fn graph(&self, graph: NamedNodeRef<'_>) -> Result<Vec<Triple>, StoreError> {
        Ok(self
            .0
            .quads_for_pattern(None, None, None, Some(GraphNameRef::NamedNode(graph)))
            .map(|q| q.map(Triple::from))
            .collect::<Result<_, _>>()?)
    }

    /// The values of a property of a subject, in any graph, without repeats.
    pub fn objects(
        &self,
        subject: NamedNodeRef<'_>,
        predicate: NamedNodeRef<'_>,
    ) -> Result<Vec<Term>, StoreError> {
        let mut out = Vec::new();
        for q in self
            .0
            .quads_for_pattern(Some(subject.into()), Some(predicate), None, None)
        {
            let object = q?.object;
            if !out.contains(&object) {
                out.push(object);
            }
        }
        Ok(out)
    }

    /// The IRIs among the values of a property of a subject (any graph).
    pub fn linked(
        &self,
        subject: NamedNodeRef<'_>,
        predicate: NamedNodeRef<'_>,
    ) -> Result<Vec<NamedNode>, StoreError> {
        Ok(self
            .objects(subject, predicate)?
            .into_iter()
            .filter_map(|t| match t {
                Term::NamedNode(n) => Some(n),
                _ => None,
            })
            .collect())
    }

    /// Whether `node` has `class` as an `rdf:type` (any graph).
    pub fn has_type(
        &self,
        node: NamedNodeRef<'_>,
        class: NamedNodeRef<'_>,
    ) -> Result<bool, StoreError> {
        Ok(self
            .0
            .quads_for_pattern(Some(node.into()), Some(rdf::TYPE), Some(class.into()), None)
            .next()
            .transpose()?
            .is_some())
    }

    /// The subjects that have `object` as a value of `predicate`, in any
    /// graph, without repeats.
    pub fn subjects(
        &self,
        predicate: NamedNodeRef<'_>,
        object: TermRef<'_>,
    ) -> Result<Vec<NamedOrBlankNode>, StoreError> {
        let mut out = Vec::new();
        for q in self
            .0
            .quads_for_pattern(None, Some(predicate), Some(object), None)
        {
            let subject = q?.subject;
            if !out.contains(&subject) {
                out.push(subject);
            }
        }
        Ok(out)
    }

    /// The triples whose object is `object` (any graph, `rdf:type` left
    /// out), at most `limit` of them.
    pub fn referrers(
        &self,
        object: TermRef<'_>,
        limit: usize,
    ) -> Result<Vec<Referrer>, StoreError> {
        let mut out = Vec::new();
        for q in self.0.quads_for_pattern(None, None, Some(object), None) {
            let q = q?;
            if q.predicate == rdf::TYPE {
                continue;
            }
            let r = Referrer {
                subject: q.subject,
                predicate: q.predicate,
            };
            if !out.contains(&r) {
                out.push(r);
                if out.len() >= limit {
                    break;
                }
            }
        }
        Ok(out)
    }

    /// The named instances of a class, without repeats, in the store's order.
    pub fn instances(&self, class: NamedNodeRef<'_>) -> Result<Vec<NamedNode>, StoreError> {
        let mut out: Vec<NamedNode> = Vec::new();
        for q in self
            .0
            .quads_for_pattern(None, Some(rdf::TYPE), Some(class.into()), None)
        {
            if let NamedOrBlankNode::NamedNode(n) = q?.subject
                && out.last() != Some(&n)
            {
                out.push(n);
            }
        }
        out.dedup();
        Ok(out)
    }

    /// The name of a node for people: its title, name or label, in French
    /// when there is one.
    pub fn label(&self, node: NamedNodeRef<'_>) -> Result<Option<String>, StoreError> {
        for property in NAMES {
            let values = self.objects(node, property)?;
            if let Some(text) = best_text_of(values.iter()) {
                return Ok(Some(text));
            }
        }
        Ok(None)
    }

    /// What a record says about `thing`: the triples of `graph` whose
    /// subject is `thing`, one of its hash IRIs (`thing#algorithme`), or a
    /// blank node they reach.
    pub fn describe(
        &self,
        thing: NamedNodeRef<'_>,
        graph: NamedNodeRef<'_>,
    ) -> Result<Vec<Triple>, StoreError> {
        let all = self.graph(graph)?;
        let hash = format!("{}#", thing.as_str());
        let mut keep: Vec<bool> = all
            .iter()
            .map(|t| match &t.subject {
                NamedOrBlankNode::NamedNode(s) => {
                    s.as_ref() == thing || s.as_str().starts_with(&hash)
                }
                NamedOrBlankNode::BlankNode(_) => false,
            })
            .collect();
        // Blank nodes reached from what is kept, to any depth.
        loop {
            let reached: Vec<Term> = all
                .iter()
                .zip(&keep)
                .filter(|(t, k)| **k && t.object.is_blank_node())
                .map(|(t, _)| t.object.clone())
                .collect();
            let mut changed = false;
            for (t, k) in all.iter().zip(keep.iter_mut()) {
                if !*k && reached.contains(&Term::from(t.subject.clone())) {
                    *k = true;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        Ok(all
            .into_iter()
            .zip(keep)
            .filter_map(|(t, k)| k.then_some(t))
            .collect())
    }

    /// The data document of `thing`: what its record says about it (see
    /// [`PublicStore::describe`]), `doc foaf:primaryTopic thing`, and an
    /// `rdfs:label` for each IRI it links to that has a name. Blank nodes
    /// are relabelled by RDF canonicalization (RDFC-1.0) and the triples
    /// sorted, so the same content always gives the same document, whatever
    /// the blank-node labels and order of the store.
    pub fn document(
        &self,
        thing: NamedNodeRef<'_>,
        graph: NamedNodeRef<'_>,
        doc: NamedNodeRef<'_>,
    ) -> Result<Vec<Triple>, StoreError> {
        let described = self.describe(thing, graph)?;
        let mut out = oxigraph::model::Graph::new();
        let mut linked: Vec<NamedNode> = Vec::new();
        for t in &described {
            out.insert(t);
            if let Term::NamedNode(n) = &t.object
                && t.predicate != rdf::TYPE
                && !n.as_str().starts_with(thing.as_str())
                && !linked.contains(n)
            {
                linked.push(n.clone());
            }
        }
        out.insert(oxigraph::model::TripleRef::new(
            doc,
            crate::vocab::foaf::PRIMARY_TOPIC,
            thing,
        ));
        for n in linked {
            if let Some(label) = self.label(n.as_ref())? {
                out.insert(&Triple::new(
                    n,
                    rdfs::LABEL,
                    oxigraph::model::Literal::new_language_tagged_literal_unchecked(label, "fr"),
                ));
            }
        }
        out.canonicalize(oxrdf::graph::CanonicalizationAlgorithm::Rdfc10 {
            hash_algorithm: oxrdf::graph::CanonicalizationHashAlgorithm::Sha256,
        });
        let mut triples: Vec<Triple> = out.iter().map(|t| t.into_owned()).collect();
        triples.sort_by_cached_key(ToString::to_string);
        Ok(triples)
    }

    /// The things that have a page: every named subject typed in its own
    /// record graph (`/id/{kind}/{slug}`, and the concepts of a scheme,
    /// whose record is the scheme's graph), under `base`, withdrawn records
    /// left out, each with its `dcterms:modified` (the latest, as written)
    /// when it has one. Sorted by IRI.
    pub fn things(
        &self,
        base: &crate::iri::BaseIri,
    ) -> Result<Vec<(NamedNode, Option<String>)>, StoreError> {
        let mut things = std::collections::BTreeSet::new();
        let mut withdrawn = std::collections::HashSet::new();
        for q in self.0.quads_for_pattern(None, Some(rdf::TYPE), None, None) {
            let q = q?;
            let (NamedOrBlankNode::NamedNode(s), GraphName::NamedNode(g)) =
                (q.subject, q.graph_name)
            else {
                continue;
            };
            if s.as_str().contains('#')
                || base.relative(s.as_str()).is_none()
                || base.record_of(s.as_ref()).as_ref() != Some(&g)
            {
                continue;
            }
            if q.object == Term::from(crate::vocab::bia::WITHDRAWN_RECORD.into_owned()) {
                withdrawn.insert(s.clone());
            }
            things.insert(s);
        }
        let mut modified: std::collections::HashMap<NamedNode, String> =
            std::collections::HashMap::new();
        for q in self
            .0
            .quads_for_pattern(None, Some(dcterms::MODIFIED), None, None)
        {
            let q = q?;
            if let (NamedOrBlankNode::NamedNode(s), Term::Literal(l)) = (q.subject, q.object) {
                let value = l.value().to_owned();
                let latest = modified.entry(s).or_default();
                if value > *latest {
                    *latest = value;
                }
            }
        }
        Ok(things
            .into_iter()
            .filter(|t| !withdrawn.contains(t))
            .map(|t| {
                let m = modified.get(&t).cloned();
                (t, m)
            })
            .collect())
    }

    /// Whether the projection holds a graph of this name.
    pub fn has_graph(&self, graph: NamedNodeRef<'_>) -> Result<bool, StoreError> {
        Ok(self.0.contains_named_graph(graph)?)
    }

    /// Streams the whole projection to `writer` (quads in a dataset
    /// format, else the triples of every graph), from one snapshot.
    pub fn write<W: std::io::Write>(&self, format: RdfFormat, writer: W) -> Result<W, StoreError> {
        super::serialize(&self.0, format, writer)
    }

    /// Every quad of the projection, graph after graph, read from one
    /// snapshot (for the change feed's complete copies).
    pub fn quads(&self) -> impl Iterator<Item = Result<Quad, StoreError>> + use<> {
        self.0.iter().map(|q| q.map_err(StoreError::from))
    }

    /// The quads of one graph of the projection.
    pub fn quads_of(&self, graph: GraphNameRef<'_>) -> Result<Vec<Quad>, StoreError> {
        Ok(self
            .0
            .quads_for_pattern(None, None, None, Some(graph))
            .collect::<Result<_, _>>()?)
    }

    /// The figures of the projection's union graph (its distinct triples),
    /// as VoID gives them, from one snapshot; `uri_space` is the prefix of
    /// the IRIs counted as entities.
    ///
    /// Terms are counted by a 128-bit hash (two SipHash keys) rather than
    /// kept, so that a store of millions of triples needs tens of
    /// megabytes, not gigabytes; a collision is beyond any real store.
    pub fn statistics(&self, uri_space: &str) -> Result<Statistics, StoreError> {
        let keys = (RandomState::new(), RandomState::new());
        let key = |t: &dyn Fn(&mut DefaultHasher)| {
            let mut a = keys.0.build_hasher();
            let mut b = keys.1.build_hasher();
            t(&mut a);
            t(&mut b);
            (a.finish(), b.finish())
        };
        let mut triples = HashSet::new();
        let mut subjects = HashSet::new();
        let mut objects = HashSet::new();
        let mut entities = HashSet::new();
        let mut stats = Statistics::default();
        for quad in self.0.iter() {
            let q = quad?;
            let triple = key(&|h| (&q.subject, &q.predicate, &q.object).hash(h));
            if !triples.insert(triple) {
                continue;
            }
            let subject = key(&|h| q.subject.hash(h));
            subjects.insert(subject);
            objects.insert(key(&|h| q.object.hash(h)));
            if let NamedOrBlankNode::NamedNode(s) = &q.subject
                && s.as_str().starts_with(uri_space)
            {
                entities.insert(subject);
            }
            if q.predicate == rdf::TYPE
                && let Term::NamedNode(class) = &q.object
            {
                *stats.classes.entry(class.clone()).or_default() += 1;
            }
            *stats.properties.entry(q.predicate).or_default() += 1;
        }
        stats.triples = triples.len();
        stats.distinct_subjects = subjects.len();
        stats.distinct_objects = objects.len();
        stats.entities = entities.len();
        Ok(stats)
    }
}

/// The figures of the public data that VoID publishes, over the distinct
/// triples of the union of its graphs.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Statistics {
    /// Distinct triples.
    pub triples: usize,
    /// Distinct subjects (IRIs and blank nodes).
    pub distinct_subjects: usize,
    /// Distinct objects (IRIs, blank nodes and literals).
    pub distinct_objects: usize,
    /// Distinct IRI subjects in the URI space.
    pub entities: usize,
    /// Each class with its number of distinct instances.
    pub classes: BTreeMap<NamedNode, usize>,
    /// Each property with its number of distinct triples.
    pub properties: BTreeMap<NamedNode, usize>,
}

/// The French text among literal values, else one without a language,
/// else the first literal.
pub fn best_text_of<'a>(values: impl Iterator<Item = &'a Term>) -> Option<String> {
    let values: Vec<&Term> = values.collect();
    let literals = || {
        values.iter().filter_map(|v| match v {
            Term::Literal(l) => Some(l),
            _ => None,
        })
    };
    literals()
        .find(|l| l.language() == Some("fr"))
        .or_else(|| literals().find(|l| l.language().is_none()))
        .or_else(|| literals().next())
        .map(|l| l.value().to_owned())
}

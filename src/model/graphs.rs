//! The rule that puts each triple in the named graph of its record: one
//! graph per use case, organisation, solution, resource, territory and
//! concept scheme, named by the record's IRI (see
//! [`BaseIri::record_of`]), so that a record is replaced atomically.

use crate::iri::{BaseIri, slug};
use oxrdf::{BlankNode, GraphName, NamedOrBlankNode, Quad, Term};
use std::collections::HashMap;

/// Finds the record graph of each subject: the graph of its record (see
/// [`BaseIri::record_of`]); a blank node follows the subject that refers to
/// it; anything else goes to a graph named after the source.
pub(crate) struct GraphAssigner<'a> {
    base: &'a BaseIri,
    fallback: GraphName,
    referrer: HashMap<BlankNode, NamedOrBlankNode>,
    /// The last subject seen: quads of one subject usually come together.
    last: Option<(NamedOrBlankNode, GraphName)>,
}

impl<'a> GraphAssigner<'a> {
    pub(crate) fn new(quads: &[Quad], base: &'a BaseIri, source: &str) -> Self {
        let mut referrer = HashMap::new();
        for q in quads {
            if let Term::BlankNode(b) = &q.object {
                referrer
                    .entry(b.clone())
                    .or_insert_with(|| q.subject.clone());
            }
        }
        Self {
            base,
            fallback: base.join(&format!("graph/source/{}", slug(source))).into(),
            referrer,
            last: None,
        }
    }

    /// The graph of `quad`: its own when it has one, else its record's.
    pub(crate) fn graph_of(&mut self, quad: &Quad) -> GraphName {
        if !quad.graph_name.is_default_graph() {
            return quad.graph_name.clone();
        }
        if let Some((subject, graph)) = &self.last
            && *subject == quad.subject
        {
            return graph.clone();
        }
        let graph = self.resolve(&quad.subject);
        self.last = Some((quad.subject.clone(), graph.clone()));
        graph
    }

    fn resolve(&self, subject: &NamedOrBlankNode) -> GraphName {
        let mut s = subject;
        for _ in 0..64 {
            match s {
                NamedOrBlankNode::NamedNode(n) => {
                    return self
                        .base
                        .record_of(n.as_ref())
                        .map_or_else(|| self.fallback.clone(), GraphName::from);
                }
                NamedOrBlankNode::BlankNode(b) => match self.referrer.get(b) {
                    Some(next) => s = next,
                    None => break,
                },
            }
        }
        self.fallback.clone()
    }
}

/// Puts every default-graph quad in the named graph of its record (see
/// [`BaseIri::record_of`]); blank nodes follow the subject that refers to
/// them; anything else goes to a graph named after the source.
pub fn assign_graphs(quads: Vec<Quad>, base: &BaseIri, source: &str) -> Vec<Quad> {
    let mut assigner = GraphAssigner::new(&quads, base, source);
    quads
        .into_iter()
        .map(|q| {
            let g = assigner.graph_of(&q);
            Quad::new(q.subject, q.predicate, q.object, g)
        })
        .collect()
}

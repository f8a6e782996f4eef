//! Access levels: which properties are public, and the public projection of
//! a record graph.
//!
//! The rule is deny-by-default: a triple reaches the public projection only
//! when its predicate is declared `bia:accessLevel bia:public` in the
//! ontology. Nodes that a record only reaches through a restricted property
//! (a contact point and its vCard fields, say) are dropped with all their
//! triples, so not even their type is published. The ontology graph itself is
//! public as a whole: it describes terms, not collectivités.

use crate::vocab::{self, bia, dcterms, org, schema};
use oxrdf::vocab::rdf;
use oxrdf::{Graph, GraphName, NamedNode, NamedOrBlankNode, Quad, Term, TermRef, Triple};
use std::collections::HashSet;

/// The properties that may be published, read from the ontology.
#[derive(Debug, Clone, Default)]
pub struct AccessPolicy {
    public: HashSet<NamedNode>,
    restricted: HashSet<NamedNode>,
}

impl AccessPolicy {
    /// Reads `bia:accessLevel` annotations from the ontology graph.
    pub fn from_ontology(ontology: &Graph) -> Self {
        let mut policy = Self::default();
        for t in ontology.triples_for_predicate(bia::ACCESS_LEVEL) {
            let NamedOrBlankNode::NamedNode(p) = t.subject.into_owned() else {
                continue;
            };
            if t.object == TermRef::from(bia::PUBLIC) {
                policy.public.insert(p);
            } else {
                policy.restricted.insert(p);
            }
        }
        // A property marked both ways is restricted: the safe reading.
        let restricted = policy.restricted.clone();
        policy.public.retain(|p| !restricted.contains(p));
        policy
    }

    /// Whether a property is declared public.
    pub fn is_public(&self, predicate: &NamedNode) -> bool {
        self.public.contains(predicate)
    }

    /// The properties declared restricted (for tests and documentation).
    pub fn restricted(&self) -> impl Iterator<Item = &NamedNode> {
        self.restricted.iter()
    }

    /// The public part of the quads of one record graph (all quads share a
    /// graph name).
    pub fn project(&self, quads: &[Quad]) -> Vec<Quad> {
        let Some(first) = quads.first() else {
            return Vec::new();
        };
        if first.graph_name == vocab::ONTOLOGY.into_owned().into() {
            return quads.to_vec();
        }
        if let GraphName::NamedNode(g) = &first.graph_name
            && vocab::is_system_graph(g.as_str())
        {
            return Vec::new();
        }
        let publicly_linked: HashSet<&Term> = quads
            .iter()
            .filter(|q| self.is_public(&q.predicate))
            .map(|q| &q.object)
            .collect();
        let hidden: HashSet<Term> = quads
            .iter()
            .filter(|q| !self.is_public(&q.predicate) && !publicly_linked.contains(&q.object))
            .filter(|q| !q.object.is_literal())
            .map(|q| q.object.clone())
            .collect();
        quads
            .iter()
            .filter(|q| {
                self.is_public(&q.predicate) && !hidden.contains(&Term::from(q.subject.clone()))
            })
            .cloned()
            .collect()
    }
}

/// The organisations a record belongs to, whose contributors may change it:
/// the organisation leading a use case (`bia:ledBy`), an organisation
/// itself, the provider of a solution (`schema:provider`), the publisher of
/// a technical resource (`dcterms:publisher`). A record of another class
/// (a territory, a concept) belongs to no organisation: only moderators
/// change it.
pub fn owners<'a>(
    record: &NamedNode,
    triples: impl IntoIterator<Item = &'a Triple>,
) -> Vec<NamedNode> {
    let triples: Vec<&Triple> = triples.into_iter().collect();
    let of_record = |p: oxrdf::NamedNodeRef<'static>| -> Vec<NamedNode> {
        triples
            .iter()
            .filter(|t| t.subject.as_ref() == record.as_ref().into() && t.predicate == p)
            .filter_map(|t| match &t.object {
                Term::NamedNode(n) => Some(n.clone()),
                _ => None,
            })
            .collect()
    };
    let mut owners = Vec::new();
    for class in of_record(rdf::TYPE) {
        if class == bia::USE_CASE {
            owners.extend(of_record(bia::LED_BY));
        } else if class == org::ORGANIZATION {
            owners.push(record.clone());
        } else if class == bia::SOLUTION {
            owners.extend(of_record(schema::PROVIDER));
        } else if class == bia::TECHNICAL_RESOURCE {
            owners.extend(of_record(dcterms::PUBLISHER));
        }
    }
    owners.sort();
    owners.dedup();
    owners
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxrdf::{GraphName, Literal};

    fn nn(s: &str) -> NamedNode {
        NamedNode::new_unchecked(s)
    }

    #[test]
    fn restricted_nodes_and_properties_are_dropped() {
        let mut onto = Graph::new();
        for (p, level) in [
            ("http://purl.org/dc/terms/title", bia::PUBLIC),
            (
                "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
                bia::PUBLIC,
            ),
            ("http://www.w3.org/ns/dcat#contactPoint", bia::RESTREINT),
            ("http://www.w3.org/2006/vcard/ns#fn", bia::RESTREINT),
        ] {
            onto.insert(oxrdf::TripleRef::new(
                nn(p).as_ref(),
                bia::ACCESS_LEVEL,
                level,
            ));
        }
        let policy = AccessPolicy::from_ontology(&onto);
        let g = GraphName::from(nn("http://x/id/projet/a"));
        let p = nn("http://x/id/projet/a");
        let c = nn("http://x/id/projet/a#contact");
        let quads = vec![
            Quad::new(
                p.clone(),
                nn("http://purl.org/dc/terms/title"),
                Literal::from("A"),
                g.clone(),
            ),
            Quad::new(
                p.clone(),
                nn("http://www.w3.org/ns/dcat#contactPoint"),
                c.clone(),
                g.clone(),
            ),
            Quad::new(
                c.clone(),
                nn("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                nn("http://www.w3.org/2006/vcard/ns#Kind"),
                g.clone(),
            ),
            Quad::new(
                c,
                nn("http://www.w3.org/2006/vcard/ns#fn"),
                Literal::from("Mme X"),
                g.clone(),
            ),
            Quad::new(
                p,
                nn("http://example.org/undeclared"),
                Literal::from("?"),
                g,
            ),
        ];
        let public = policy.project(&quads);
        assert_eq!(public.len(), 1, "{public:?}");
        assert_eq!(
            public[0].predicate.as_str(),
            "http://purl.org/dc/terms/title"
        );
    }
}

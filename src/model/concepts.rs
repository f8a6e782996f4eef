//! The concept schemes of the bundled vocabularies, indexed once when the
//! model is built: each scheme's concepts with their labels and notation,
//! and the `skos:broader` links. The importer matches spreadsheet values
//! against it; the generator draws from it.
//!
//! A scheme is named by the last segment of its IRI (`…/id/concept/statut`
//! → `statut`).

use crate::vocab::skos;
use oxrdf::{NamedNode, NamedOrBlankNode, Quad, Term};
use std::collections::{BTreeMap, HashMap, HashSet};

/// One concept of a scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Concept {
    /// Its IRI.
    pub iri: NamedNode,
    /// Its preferred labels (one per language).
    pub pref_labels: Vec<String>,
    /// Its French preferred label (else an untagged one, else any; empty
    /// when it has none), for the choices people make.
    pub label: String,
    /// Its alternative and hidden labels.
    pub other_labels: Vec<String>,
    /// Its `skos:notation`.
    pub notation: Option<String>,
}

/// Every concept scheme of the model.
#[derive(Debug, Clone, Default)]
pub struct ConceptSchemes {
    /// Scheme name → its concepts, sorted by IRI.
    schemes: BTreeMap<String, Vec<Concept>>,
    broader: HashMap<NamedNode, NamedNode>,
    /// Each concept's rank in the vocabularies' files (that of its
    /// `skos:inScheme` triple).
    rank: HashMap<NamedNode, usize>,
}

impl ConceptSchemes {
    /// Indexes the concepts found in `quads` (ontology and vocabularies,
    /// absolute IRIs).
    pub fn from_quads(quads: &[Quad]) -> Self {
        let mut scheme_of: HashMap<&NamedNode, &str> = HashMap::new();
        let mut broader = HashMap::new();
        let mut rank = HashMap::new();
        for q in quads {
            let (NamedOrBlankNode::NamedNode(c), Term::NamedNode(o)) = (&q.subject, &q.object)
            else {
                continue;
            };
            if q.predicate.as_ref() == skos::IN_SCHEME {
                let name = o.as_str().trim_end_matches('/').rsplit('/').next();
                scheme_of.insert(c, name.unwrap_or_default());
                let next = rank.len();
                rank.entry(c.clone()).or_insert(next);
            } else if q.predicate.as_ref() == skos::BROADER {
                broader.insert(c.clone(), o.clone());
            }
        }
        let mut concepts: HashMap<&NamedNode, Concept> = HashMap::new();
        let (mut french, mut untagged) = (HashSet::new(), HashSet::new());
        for q in quads {
            let (NamedOrBlankNode::NamedNode(c), Term::Literal(l)) = (&q.subject, &q.object) else {
                continue;
            };
            if !scheme_of.contains_key(c) {
                continue;
            }
            let concept = concepts.entry(c).or_insert_with(|| Concept {
                iri: c.clone(),
                pref_labels: Vec::new(),
                label: String::new(),
                other_labels: Vec::new(),
                notation: None,
            });
            let p = q.predicate.as_ref();
            if p == skos::PREF_LABEL {
                let better = match l.language() {
                    Some("fr") => !french.contains(c),
                    None => !french.contains(c) && !untagged.contains(c),
                    Some(_) => concept.label.is_empty(),
                };
                if better {
                    concept.label = l.value().to_owned();
                    match l.language() {
                        Some("fr") => french.insert(c),
                        None => untagged.insert(c),
                        Some(_) => false,
                    };
                }
                concept.pref_labels.push(l.value().to_owned());
            } else if p == skos::ALT_LABEL || p == skos::HIDDEN_LABEL {
                concept.other_labels.push(l.value().to_owned());
            } else if p == skos::NOTATION {
                concept.notation = Some(l.value().to_owned());
            }
        }
        let mut schemes: BTreeMap<String, Vec<Concept>> = BTreeMap::new();
        for (iri, name) in scheme_of {
            let concept = concepts.remove(iri).unwrap_or_else(|| Concept {
                iri: iri.clone(),
                pref_labels: Vec::new(),
                label: String::new(),
                other_labels: Vec::new(),
                notation: None,
            });
            schemes.entry(name.to_owned()).or_default().push(concept);
        }
        for list in schemes.values_mut() {
            list.sort_by(|a, b| a.iri.cmp(&b.iri));
        }
        Self {
            schemes,
            broader,
            rank,
        }
    }

    /// The concepts of `scheme`, sorted by IRI (none for an unknown scheme).
    pub fn concepts(&self, scheme: &str) -> &[Concept] {
        self.schemes.get(scheme).map_or(&[], Vec::as_slice)
    }

    /// The concepts of `scheme` in the order the vocabularies' files give
    /// them (the order people read them in, as on `/vocab/{scheme}`).
    pub fn in_file_order(&self, scheme: &str) -> Vec<&Concept> {
        let mut concepts: Vec<&Concept> = self.concepts(scheme).iter().collect();
        concepts.sort_by_key(|c| self.rank.get(&c.iri).copied().unwrap_or(usize::MAX));
        concepts
    }

    /// Every scheme, by name.
    pub fn schemes(&self) -> impl Iterator<Item = (&str, &[Concept])> {
        self.schemes.iter().map(|(n, c)| (n.as_str(), c.as_slice()))
    }

    /// The concept of `scheme` with this notation.
    pub fn by_notation(&self, scheme: &str, notation: &str) -> Option<&NamedNode> {
        self.concepts(scheme)
            .iter()
            .find(|c| c.notation.as_deref() == Some(notation))
            .map(|c| &c.iri)
    }

    /// The concept `concept` is narrower of.
    pub fn broader(&self, concept: &NamedNode) -> Option<&NamedNode> {
        self.broader.get(concept)
    }
}

//! The controlled lists for people (`/vocab` and `/vocab/{scheme}`): each
//! SKOS concept scheme of the bundled vocabularies with its concepts, their
//! code (`skos:notation`), preferred and alternative labels, definition,
//! broader and narrower concepts and mappings to other vocabularies
//! (`skos:exactMatch`, `skos:closeMatch`). Each concept has an anchor, its
//! code: `/vocab/statut#abandonne`.

use super::Site;
use super::def::{TermLink, french, in_language, only_in};
use crate::vocab::skos;
use askama::Template;
use oxrdf::vocab::rdf;
use oxrdf::{Graph, NamedNode, NamedNodeRef, NamedOrBlankNode, TermRef, Triple};
use std::collections::{BTreeMap, HashMap, HashSet};

const SKOS: &str = "http://www.w3.org/2004/02/skos/core#";

/// The mappings shown, with their words.
const MATCHES: [(&str, &str); 5] = [
    ("exactMatch", "équivalent exact"),
    ("closeMatch", "équivalent proche"),
    ("broadMatch", "plus large"),
    ("narrowMatch", "plus précis"),
    ("relatedMatch", "lié"),
];

/// A concept scheme in a list of schemes.
#[derive(Debug, Clone)]
pub struct SchemeEntry {
    /// Its name (`theme`).
    pub name: String,
    /// Its IRI.
    pub iri: String,
    /// Its French label.
    pub label: String,
    /// Its definition.
    pub definition: Option<String>,
    /// How many concepts it holds.
    pub count: usize,
    /// Its `/vocab` page.
    pub href: String,
    /// The anchor of the shape that checks a value is in it, on `/def`.
    pub shape: Option<String>,
}

/// One concept of a scheme.
#[derive(Debug, Clone)]
pub struct ConceptView {
    /// Its anchor (its code).
    pub id: String,
    /// Its IRI.
    pub iri: String,
    /// Its page (`/page/concept/…`).
    pub page: String,
    /// Its code (`skos:notation`).
    pub notation: Option<String>,
    /// Its French preferred label.
    pub label: String,
    /// Its English preferred label.
    pub label_en: Option<String>,
    /// Its alternative labels (every spelling met in real files).
    pub alt_labels: Vec<String>,
    /// Its hidden labels.
    pub hidden_labels: Vec<String>,
    /// Its definition.
    pub definition: Option<String>,
    /// Its broader concepts.
    pub broader: Vec<TermLink>,
    /// Its narrower concepts (in any scheme).
    pub narrower: Vec<TermLink>,
    /// Its mappings: (words, IRI).
    pub matches: Vec<(&'static str, String)>,
}

/// `/vocab/{scheme}`: a concept scheme.
#[derive(Debug, Clone, Template)]
#[template(path = "vocab.html", config = "src/html/askama.toml")]
pub struct VocabPage {
    /// The site.
    pub site: Site,
    /// The scheme.
    pub scheme: SchemeEntry,
    /// Its English label.
    pub label_en: Option<String>,
    /// Its page as a thing (`/page/concept/{scheme}`).
    pub page: String,
    /// Its concepts, in the order of the file.
    pub concepts: Vec<ConceptView>,
    /// The RDF documents: (format name, media type, path).
    pub alternates: Vec<(&'static str, &'static str, String)>,
}

/// `/vocab`: every concept scheme.
#[derive(Debug, Clone, Template)]
#[template(path = "vocabs.html", config = "src/html/askama.toml")]
pub struct VocabIndexPage {
    /// The site.
    pub site: Site,
    /// The schemes, by name.
    pub schemes: Vec<SchemeEntry>,
}

fn skos_term(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{SKOS}{local}"))
}

/// The code of a concept, or the last segment of its IRI.
fn code(graph: &Graph, concept: NamedNodeRef<'_>) -> String {
    match graph.object_for_subject_predicate(concept, skos::NOTATION) {
        Some(TermRef::Literal(l)) => l.value().to_owned(),
        _ => concept
            .as_str()
            .rsplit(['/', '#'])
            .next()
            .unwrap_or_default()
            .to_owned(),
    }
}

/// Every scheme's page and triples, and the page of the list of schemes,
/// from the vocabularies' triples.
pub(crate) fn schemes(
    triples: &[Triple],
    site: &Site,
) -> (VocabIndexPage, BTreeMap<String, (VocabPage, Vec<Triple>)>) {
    let graph: Graph = triples.iter().collect();
    let mut order: Vec<NamedNode> = Vec::new();
    let mut seen = HashSet::new();
    for t in triples {
        if let NamedOrBlankNode::NamedNode(n) = &t.subject
            && seen.insert(n.clone())
        {
            order.push(n.clone());
        }
    }
    let scheme_of: HashMap<NamedNode, NamedNode> = graph
        .triples_for_predicate(skos::IN_SCHEME)
        .filter_map(|t| match (t.subject, t.object) {
            (oxrdf::NamedOrBlankNodeRef::NamedNode(c), TermRef::NamedNode(s)) => {
                Some((c.into_owned(), s.into_owned()))
            }
            _ => None,
        })
        .collect();
    let name_of = |scheme: &NamedNode| {
        scheme
            .as_str()
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_owned()
    };
    let link = |concept: NamedNodeRef<'_>| {
        let label = french(&graph, concept.into(), skos::PREF_LABEL)
            .unwrap_or_else(|| concept.as_str().to_owned());
        let href = match scheme_of.get(&concept.into_owned()) {
            Some(s) => format!(
                "{}#{}",
                site.path(&format!("vocab/{}", name_of(s))),
                code(&graph, concept)
            ),
            None => site.href(concept.as_str()),
        };
        TermLink { label, href }
    };
    let schemes: Vec<&NamedNode> = order
        .iter()
        .filter(|s| graph.contains(oxrdf::TripleRef::new(*s, rdf::TYPE, skos::CONCEPT_SCHEME)))
        .collect();
    let mut pages = BTreeMap::new();
    let mut entries = Vec::new();
    for scheme in schemes {
        let name = name_of(scheme);
        let members: Vec<&NamedNode> = order
            .iter()
            .filter(|c| scheme_of.get(*c) == Some(scheme))
            .collect();
        let concepts: Vec<ConceptView> = members
            .iter()
            .map(|c| {
                let c = c.as_ref();
                let texts = |p: NamedNodeRef<'_>| -> Vec<String> {
                    graph
                        .objects_for_subject_predicate(c, p)
                        .filter_map(|o| match o {
                            TermRef::Literal(l) => Some(l.value().to_owned()),
                            _ => None,
                        })
                        .collect()
                };
                let mut narrower: Vec<TermLink> = graph
                    .subjects_for_predicate_object(skos::BROADER, c)
                    .filter_map(|n| match n {
                        oxrdf::NamedOrBlankNodeRef::NamedNode(n) => Some(link(n)),
                        oxrdf::NamedOrBlankNodeRef::BlankNode(_) => None,
                    })
                    .collect();
                narrower.sort_by(|a, b| a.label.cmp(&b.label));
                ConceptView {
                    id: code(&graph, c),
                    iri: c.as_str().to_owned(),
                    page: site.href(c.as_str()),
                    notation: texts(skos::NOTATION).into_iter().next(),
                    label: in_language(&graph, c.into(), skos::PREF_LABEL, "fr")
                        .unwrap_or_else(|| code(&graph, c)),
                    label_en: only_in(&graph, c.into(), skos::PREF_LABEL, "en"),
                    alt_labels: texts(skos::ALT_LABEL),
                    hidden_labels: texts(skos::HIDDEN_LABEL),
                    definition: only_in(&graph, c.into(), skos::DEFINITION, "fr"),
                    broader: graph
                        .objects_for_subject_predicate(c, skos::BROADER)
                        .filter_map(|o| match o {
                            TermRef::NamedNode(b) => Some(link(b)),
                            _ => None,
                        })
                        .collect(),
                    narrower,
                    matches: MATCHES
                        .iter()
                        .flat_map(|(local, words)| {
                            graph
                                .objects_for_subject_predicate(c, &skos_term(local))
                                .filter_map(|o| match o {
                                    TermRef::NamedNode(m) => Some((*words, m.as_str().to_owned())),
                                    _ => None,
                                })
                                .collect::<Vec<_>>()
                        })
                        .collect(),
                }
            })
            .collect();
        let entry = SchemeEntry {
            name: name.clone(),
            iri: scheme.as_str().to_owned(),
            label: french(&graph, scheme.into(), skos::PREF_LABEL).unwrap_or_else(|| name.clone()),
            definition: only_in(&graph, scheme.into(), skos::DEFINITION, "fr"),
            count: concepts.len(),
            href: site.path(&format!("vocab/{name}")),
            shape: None,
        };
        let subjects: HashSet<&NamedNode> = std::iter::once(scheme)
            .chain(members.iter().copied())
            .collect();
        let own: Vec<Triple> = triples
            .iter()
            .filter(
                |t| matches!(&t.subject, NamedOrBlankNode::NamedNode(n) if subjects.contains(n)),
            )
            .cloned()
            .collect();
        let alternates = crate::iri::DOCUMENTS
            .iter()
            .map(|(format, media, suffix)| {
                (
                    *format,
                    *media,
                    site.path(&format!("vocab/{name}.{suffix}")),
                )
            })
            .collect();
        let page = VocabPage {
            site: site.clone(),
            scheme: entry.clone(),
            label_en: only_in(&graph, scheme.into(), skos::PREF_LABEL, "en"),
            page: site.href(scheme.as_str()),
            concepts,
            alternates,
        };
        entries.push(entry);
        pages.insert(name, (page, own));
    }
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    let index = VocabIndexPage {
        site: site.clone(),
        schemes: entries,
    };
    (index, pages)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iri::BaseIri;
    use crate::model::Sources;

    #[test]
    fn a_sub_theme_links_to_its_theme_and_back() {
        let base = BaseIri::parse("http://localhost:8080/").unwrap();
        let site = Site::new(base.clone(), "x@example.org".into());
        let sources = Sources::bundled(&base).unwrap();
        let (index, pages) = schemes(&sources.vocabularies, &site);
        assert_eq!(index.schemes.len(), 16);
        let (sous_theme, triples) = &pages["sous-theme"];
        assert_eq!(sous_theme.concepts.len(), 34);
        let energy = &sous_theme.concepts[0];
        assert_eq!(energy.id, "performance-energetique");
        assert_eq!(
            energy.broader[0].href,
            "/vocab/theme#transition-ecologique-et-energetique"
        );
        assert!(triples.len() > 34 * 5);
        let (theme, _) = &pages["theme"];
        let ecology = theme
            .concepts
            .iter()
            .find(|c| c.id == "transition-ecologique-et-energetique")
            .unwrap();
        assert!(
            ecology
                .narrower
                .iter()
                .any(|n| n.href == "/vocab/sous-theme#performance-energetique")
        );
        let (risk, _) = &pages["risque-ia"];
        assert_eq!(risk.concepts[0].matches[0].0, "équivalent exact");
    }
}

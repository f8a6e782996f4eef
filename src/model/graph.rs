//! Small readers of the bundled graphs (ontology, shapes) that the layout,
//! the documentation and the contribution forms share: a literal in
//! French, a number, the items of an RDF list.

use oxrdf::vocab::rdf;
use oxrdf::{Graph, NamedNodeRef, NamedOrBlankNodeRef, TermRef};
use std::collections::HashSet;

/// A literal of `subject` for `predicate` in French, else without
/// language, else any.
pub(crate) fn french(
    graph: &Graph,
    subject: NamedOrBlankNodeRef<'_>,
    predicate: NamedNodeRef<'_>,
) -> Option<String> {
    in_language(graph, subject, predicate, "fr")
}

/// A literal of `subject` for `predicate` in `language`, else without
/// language, else any.
pub(crate) fn in_language(
    graph: &Graph,
    subject: NamedOrBlankNodeRef<'_>,
    predicate: NamedNodeRef<'_>,
    language: &str,
) -> Option<String> {
    let all: Vec<_> = graph
        .objects_for_subject_predicate(subject, predicate)
        .filter_map(|o| match o {
            TermRef::Literal(l) => Some(l),
            _ => None,
        })
        .collect();
    all.iter()
        .find(|l| l.language() == Some(language))
        .or_else(|| all.iter().find(|l| l.language().is_none()))
        .or_else(|| all.first())
        .map(|l| l.value().to_owned())
}

/// The number `subject` has for `predicate` (`sh:order 2`), if it has one.
pub(crate) fn number(
    graph: &Graph,
    subject: NamedOrBlankNodeRef<'_>,
    predicate: NamedNodeRef<'_>,
) -> Option<f64> {
    match graph.object_for_subject_predicate(subject, predicate)? {
        TermRef::Literal(l) => l.value().parse().ok(),
        _ => None,
    }
}

/// The items of the RDF list starting at `head` (stops at a malformed or
/// cyclic list).
pub(crate) fn list<'a>(graph: &'a Graph, head: TermRef<'a>) -> Vec<TermRef<'a>> {
    let mut items = Vec::new();
    let mut node = head;
    let mut seen = HashSet::new();
    while let Some(n) = as_node(node) {
        if n == rdf::NIL.into() || !seen.insert(n) {
            break;
        }
        let Some(first) = graph.object_for_subject_predicate(n, rdf::FIRST) else {
            break;
        };
        items.push(first);
        match graph.object_for_subject_predicate(n, rdf::REST) {
            Some(rest) => node = rest,
            None => break,
        }
    }
    items
}

/// A term as a subject, if it can be one.
pub(crate) fn as_node(term: TermRef<'_>) -> Option<NamedOrBlankNodeRef<'_>> {
    match term {
        TermRef::NamedNode(n) => Some(n.into()),
        TermRef::BlankNode(b) => Some(b.into()),
        _ => None,
    }
}

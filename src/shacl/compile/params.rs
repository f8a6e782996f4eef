//! The parameters of SHACL Core constraint components and the readers of
//! their values: RDF lists, IRIs, strings, counts, booleans, messages and
//! regular expressions.

use std::collections::HashSet;

use oxrdf::vocab::{rdf, xsd};
use oxrdf::{Graph, Literal, NamedNode, NamedNodeRef, NamedOrBlankNodeRef, Term, TermRef};
use regex::Regex;

use super::ir::*;
use crate::vocab::sh;

/// A constraint parameter of SHACL Core.
#[derive(Debug, Clone, Copy)]
pub(super) enum Param {
    Class,
    Datatype,
    NodeKind,
    MinCount,
    MaxCount,
    MinLength,
    MaxLength,
    Pattern,
    LanguageIn,
    UniqueLang,
    Not,
    Node,
    Property,
    And,
    Or,
    Xone,
    QualifiedValueShape,
    Closed,
    HasValue,
    In,
    Range(Bound),
    Pair(Pair),
}

/// Constraint parameters by IRI.
pub(super) const PARAMS: &[(NamedNodeRef<'static>, Param)] = &[
    (sh::CLASS, Param::Class),
    (sh::DATATYPE, Param::Datatype),
    (sh::NODE_KIND, Param::NodeKind),
    (sh::MIN_COUNT, Param::MinCount),
    (sh::MAX_COUNT, Param::MaxCount),
    (sh::MIN_LENGTH, Param::MinLength),
    (sh::MAX_LENGTH, Param::MaxLength),
    (sh::PATTERN, Param::Pattern),
    (sh::LANGUAGE_IN, Param::LanguageIn),
    (sh::UNIQUE_LANG, Param::UniqueLang),
    (sh::NOT, Param::Not),
    (sh::NODE, Param::Node),
    (sh::PROPERTY, Param::Property),
    (sh::AND, Param::And),
    (sh::OR, Param::Or),
    (sh::XONE, Param::Xone),
    (sh::QUALIFIED_VALUE_SHAPE, Param::QualifiedValueShape),
    (sh::CLOSED, Param::Closed),
    (sh::HAS_VALUE, Param::HasValue),
    (sh::IN, Param::In),
    (sh::MIN_EXCLUSIVE, Param::Range(Bound::MinExclusive)),
    (sh::MIN_INCLUSIVE, Param::Range(Bound::MinInclusive)),
    (sh::MAX_EXCLUSIVE, Param::Range(Bound::MaxExclusive)),
    (sh::MAX_INCLUSIVE, Param::Range(Bound::MaxInclusive)),
    (sh::EQUALS, Param::Pair(Pair::Equals)),
    (sh::DISJOINT, Param::Pair(Pair::Disjoint)),
    (sh::LESS_THAN, Param::Pair(Pair::LessThan)),
    (sh::LESS_THAN_OR_EQUALS, Param::Pair(Pair::LessThanOrEquals)),
];

/// Reads an RDF list, failing on malformed or cyclic lists.
pub(crate) fn read_list(graph: &Graph, head: TermRef<'_>) -> Result<Vec<Term>, String> {
    let mut items = Vec::new();
    let mut seen = HashSet::new();
    let mut node = head;
    loop {
        if node == rdf::NIL.into() {
            return Ok(items);
        }
        let subject: NamedOrBlankNodeRef<'_> = match node {
            TermRef::NamedNode(n) => n.into(),
            TermRef::BlankNode(b) => b.into(),
            _ => return Err(format!("{node} is not an RDF list")),
        };
        if !seen.insert(node) {
            return Err(format!("RDF list {head} is cyclic"));
        }
        let first = single(graph, subject, rdf::FIRST)
            .ok_or_else(|| format!("{node} is not a well-formed RDF list node"))?;
        let rest = single(graph, subject, rdf::REST)
            .ok_or_else(|| format!("{node} is not a well-formed RDF list node"))?;
        items.push(first.into_owned());
        node = rest;
    }
}

pub(super) fn single<'a>(
    graph: &'a Graph,
    s: NamedOrBlankNodeRef<'_>,
    p: NamedNodeRef<'_>,
) -> Option<TermRef<'a>> {
    let mut it = graph.objects_for_subject_predicate(s, p);
    let first = it.next()?;
    it.next().is_none().then_some(first)
}

pub(super) fn single_value<'a>(
    g: &'a Graph,
    s: NamedOrBlankNodeRef<'_>,
    p: NamedNodeRef<'_>,
) -> Result<Option<TermRef<'a>>, String> {
    let mut it = g.objects_for_subject_predicate(s, p);
    let first = it.next();
    if it.next().is_some() {
        return Err(format!("{p} has more than one value"));
    }
    Ok(first)
}

pub(super) fn iri(o: TermRef<'_>, p: NamedNodeRef<'_>) -> Result<NamedNode, String> {
    match o {
        TermRef::NamedNode(n) => Ok(n.into_owned()),
        _ => Err(format!("{p} expects an IRI, found {o}")),
    }
}

pub(super) fn iri_or_blank(o: TermRef<'_>, p: NamedNodeRef<'_>) -> Result<Term, String> {
    match o {
        TermRef::NamedNode(_) | TermRef::BlankNode(_) => Ok(o.into_owned()),
        _ => Err(format!("{p} expects an IRI, found {o}")),
    }
}

pub(super) fn string(o: TermRef<'_>, p: NamedNodeRef<'_>) -> Result<String, String> {
    match o {
        TermRef::Literal(l) if l.datatype() == xsd::STRING => Ok(l.value().to_owned()),
        _ => Err(format!("{p} expects a string, found {o}")),
    }
}

pub(super) fn count(o: TermRef<'_>, p: NamedNodeRef<'_>) -> Result<usize, String> {
    match o {
        TermRef::Literal(l)
            if l.datatype() == xsd::INTEGER || l.datatype() == xsd::NON_NEGATIVE_INTEGER =>
        {
            l.value()
                .parse()
                .map_err(|_| format!("{p} expects a non-negative integer, found {o}"))
        }
        _ => Err(format!("{p} expects an xsd:integer, found {o}")),
    }
}

/// `true` only for `"true"^^xsd:boolean`; other booleans (even `"1"`) leave
/// the parameter inactive; non-booleans are errors.
pub(super) fn bool_param(o: TermRef<'_>, p: NamedNodeRef<'_>) -> Result<bool, String> {
    match o {
        TermRef::Literal(l) if l.datatype() == xsd::BOOLEAN => Ok(l.value() == "true"),
        _ => Err(format!("{p} expects a boolean, found {o}")),
    }
}

/// Picks the message to report: French first, then untagged, then English.
/// A blank message says nothing: it is skipped, and without another one the
/// result gets the generated French message.
pub(super) fn choose_message<'a>(values: impl Iterator<Item = TermRef<'a>>) -> Option<Literal> {
    let mut best: Option<(u8, Literal)> = None;
    for v in values {
        let TermRef::Literal(l) = v else { continue };
        if l.value().trim().is_empty() {
            continue;
        }
        let rank = match l.language() {
            Some(lang)
                if lang.eq_ignore_ascii_case("fr")
                    || lang.to_ascii_lowercase().starts_with("fr-") =>
            {
                0
            }
            None => 1,
            Some(lang)
                if lang.eq_ignore_ascii_case("en")
                    || lang.to_ascii_lowercase().starts_with("en-") =>
            {
                2
            }
            Some(_) => 3,
        };
        if best
            .as_ref()
            .is_none_or(|(r, b)| rank < *r || (rank == *r && l.value() < b.value()))
        {
            best = Some((rank, l.into_owned()));
        }
    }
    best.map(|(_, l)| l)
}

/// Compiles an XPath-style pattern with its flags (`s`, `m`, `i`, `x`, `q`).
pub(super) fn compile_regex(pattern: &str, flags: &str) -> Result<Regex, String> {
    let mut prefix = String::new();
    let mut literal = false;
    for f in flags.chars() {
        match f {
            'i' | 's' | 'm' | 'x' => prefix.push(f),
            'q' => literal = true,
            _ => return Err(format!("unsupported sh:flags character {f:?}")),
        }
    }
    let body = if literal {
        regex::escape(pattern)
    } else {
        pattern.to_owned()
    };
    let full = if prefix.is_empty() {
        body
    } else {
        format!("(?{prefix}){body}")
    };
    Regex::new(&full).map_err(|e| format!("invalid sh:pattern {pattern:?}: {e}"))
}

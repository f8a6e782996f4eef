//! The errors of a form, by field: those found reading it, and the results
//! of validating its record against the shapes, each put on the field its
//! focus node and path (or its source shape) name.

use super::form::{Field, Form, Input};
use crate::shacl::{Path, Severity, ValidationReport, ValidationResult};
use oxrdf::{NamedNode, NamedOrBlankNode, Term};
use std::collections::BTreeMap;

/// Messages in French, by the name of the field (or block) they concern,
/// and those that concern no field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors {
    fields: BTreeMap<String, Vec<String>>,
    general: Vec<String>,
}

impl FieldErrors {
    /// Whether there is no message at all.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.general.is_empty()
    }

    /// How many messages there are.
    pub fn len(&self) -> usize {
        self.fields.values().map(Vec::len).sum::<usize>() + self.general.len()
    }

    /// The messages of the field (or nested block) named `name`.
    pub fn of(&self, name: &str) -> &[String] {
        self.fields.get(name).map_or(&[], Vec::as_slice)
    }

    /// The messages that concern no field.
    pub fn general(&self) -> &[String] {
        &self.general
    }

    /// Every field's messages, by name.
    pub fn by_field(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.fields.iter().map(|(n, m)| (n.as_str(), m.as_slice()))
    }

    /// Adds a message to the field named `name` (once).
    pub fn push(&mut self, name: &str, message: String) {
        let messages = self.fields.entry(name.to_owned()).or_default();
        if !messages.contains(&message) {
            messages.push(message);
        }
    }

    /// Adds a message that concerns no field (once).
    pub fn push_general(&mut self, message: String) {
        if !self.general.contains(&message) {
            self.general.push(message);
        }
    }

    /// Adds the messages of `other`.
    pub fn extend(&mut self, other: FieldErrors) {
        for (name, messages) in other.fields {
            for m in messages {
                self.push(&name, m);
            }
        }
        for m in other.general {
            self.push_general(m);
        }
    }
}

impl Form {
    /// The violations of `report` (the validation of the record `record`)
    /// on the fields they concern: a result on the record goes to the field
    /// of its path (or of its source shape), one on a node nested in the
    /// record (`{record}#{block}`) to that block's field, or to the block
    /// itself; the others (a rule on the whole record) are general.
    pub fn errors(&self, report: &ValidationReport, record: &NamedNode) -> FieldErrors {
        self.place(report, record, |s| *s == Severity::Violation)
    }

    /// The warnings and notes of `report` (advice: the record is accepted
    /// without them), placed as [`Form::errors`] places violations.
    pub fn advice(&self, report: &ValidationReport, record: &NamedNode) -> FieldErrors {
        self.place(report, record, |s| *s != Severity::Violation)
    }

    fn place(
        &self,
        report: &ValidationReport,
        record: &NamedNode,
        keep: impl Fn(&Severity) -> bool,
    ) -> FieldErrors {
        let mut out = FieldErrors::default();
        for result in report.results().iter().filter(|r| keep(r.severity())) {
            let message = result.message().value().to_owned();
            match self.locate(result, record) {
                Some(name) => out.push(&name, message),
                None => out.push_general(message),
            }
        }
        out
    }

    /// The name of the field (or block) a result concerns.
    fn locate(&self, result: &ValidationResult, record: &NamedNode) -> Option<String> {
        let Term::NamedNode(focus) = result.focus_node() else {
            return None;
        };
        let path = match result.path() {
            Some(Path::Predicate(p)) => Some(p),
            _ => None,
        };
        let shape = result.source_shape();
        let fields: Vec<&Field> = self.fields().collect();
        if focus == record {
            return find(&fields, shape, path).map(|f| f.name.clone());
        }
        let block = focus
            .as_str()
            .strip_prefix(record.as_str())?
            .strip_prefix('#')?;
        let nested = || {
            fields.iter().filter_map(|f| match &f.input {
                Input::Node(node) => Some((*f, node)),
                _ => None,
            })
        };
        for (field, node) in nested() {
            let inner: Vec<&Field> = node.groups.iter().flat_map(|g| &g.fields).collect();
            if let Some(f) = inner.iter().find(|f| has_shape(f, shape)) {
                return Some(format!("{}.{block}.{}", field.name, f.name));
            }
            if node.shapes.iter().any(|s| same(s, shape)) {
                return Some(match find(&inner, shape, path) {
                    Some(f) => format!("{}.{block}.{}", field.name, f.name),
                    None => format!("{}.{block}", field.name),
                });
            }
        }
        let path = path?;
        nested().find_map(|(field, node)| {
            node.groups
                .iter()
                .flat_map(|g| &g.fields)
                .find(|f| &f.property == path)
                .map(|f| format!("{}.{block}.{}", field.name, f.name))
        })
    }
}

/// The field of `fields` built from `shape`, else the one of `path`.
fn find<'a>(fields: &[&'a Field], shape: &Term, path: Option<&NamedNode>) -> Option<&'a Field> {
    fields
        .iter()
        .find(|f| has_shape(f, shape))
        .or_else(|| fields.iter().find(|f| Some(&f.property) == path))
        .copied()
}

fn has_shape(field: &Field, shape: &Term) -> bool {
    field.shapes.iter().any(|s| same(s, shape))
}

fn same(node: &NamedOrBlankNode, term: &Term) -> bool {
    match (node, term) {
        (NamedOrBlankNode::NamedNode(a), Term::NamedNode(b)) => a == b,
        (NamedOrBlankNode::BlankNode(a), Term::BlankNode(b)) => a == b,
        _ => false,
    }
}

//! The contribution forms: the form of each kind of record (projets,
//! organisations, solutions, ressources), generated from the shapes and
//! the ontology, so that a change to the shapes changes the form with no
//! change to the code; a stored record's values; what a posted form gives
//! (the record's triples, the errors to fix); the validation report's
//! results on their fields. No HTTP type, no HTML: `html::form_page`
//! renders a form, the HTTP layer posts it, the store validates and writes.
//!
//! What the shapes say, field by field:
//!
//! - `sh:group` and `sh:order` lay the fields out (the fields without a
//!   group come last, in « Autres informations »); property shapes of one
//!   path are one field (the advice at severity warning, such as
//!   `…-contactPointRecommended`, only makes it « conseillé »);
//! - `sh:name` / `sh:description`, else the ontology's `rdfs:label` and
//!   `skos:definition` (or `rdfs:comment`) in French, name and explain it;
//! - `sh:minCount` ≥ 1 makes it required, no `sh:maxCount` (or more than
//!   one) repeatable; the access policy (`bia:accessLevel`) says whether
//!   it is published;
//! - its input follows its constraints ([`Input`]): `sh:node
//!   bia:InScheme-…` or `sh:in` a list, `sh:class` with `sh:nodeKind
//!   sh:IRI` a reference to another record, `sh:class` of a class with a
//!   node shape (an algorithm record, a partnership, a contact) a nested
//!   node, `sh:datatype` (or an `sh:or` of datatypes) a date, a number, a
//!   text (`rdf:langString` in French, `@fr`; a text area unless
//!   `dash:singleLine true`), `sh:nodeKind sh:IRI` with its `sh:pattern`
//!   a web address, an e-mail (`mailto:`) or a telephone (`tel:`);
//! - the ontology's subclasses of the record's class (an organisation's
//!   category) are a first, optional field, `type`.
//!
//! What the form does not carry (reading it back leaves it out): paths
//! other than a property (`sh:inversePath`: the link to a nested node is
//! its parent's field), texts in another language than French, nested
//! nodes deeper than one level inside a nested node, and the triples of
//! the record about other subjects than the record and its nested nodes.

mod errors;
mod form;
mod values;

pub use errors::FieldErrors;
pub use form::{Choice, Field, Form, Group, Input, Node};
pub use values::{Submission, Values};

use crate::browse::Kind;
use crate::model::Model;

/// The form of each kind of record, built once from the model.
#[derive(Debug, Clone)]
pub struct Forms {
    forms: Vec<(Kind, Form)>,
}

impl Forms {
    /// The forms of the kinds of records whose class has a node shape with
    /// fields.
    pub fn new(model: &Model) -> Forms {
        let builder = form::Builder::new(model);
        Forms {
            forms: Kind::ALL
                .into_iter()
                .filter_map(|kind| builder.form(kind.class()).map(|form| (kind, form)))
                .collect(),
        }
    }

    /// The form of the records of `kind`.
    pub fn form(&self, kind: Kind) -> Option<&Form> {
        self.forms.iter().find(|(k, _)| *k == kind).map(|(_, f)| f)
    }
}

#[cfg(test)]
mod tests;

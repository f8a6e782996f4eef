//! Look-ups the importer needs before it writes: the organisations already
//! stored (by SIREN and by every spelling of their name), the hyphenated
//! names of the store, and record-scoped validation of candidate records
//! without writing them.

use super::{StoreError, Stores};
use crate::iri::fold;
use crate::shacl::{DataGraph, ValidationReport};
use crate::vocab::{bia, foaf, org, skos};
use oxigraph::model::{
    NamedNode, NamedOrBlankNode, Quad, Term, Triple, TripleRef, vocab::rdf, vocab::rdfs,
};
use std::collections::{HashMap, HashSet};

/// The organisations of the full store, indexed for deduplication.
#[derive(Debug, Default, Clone)]
pub struct OrganisationIndex {
    /// SIREN → organisation.
    pub by_siren: HashMap<String, NamedNode>,
    /// Folded name or alternative name (see [`fold`]) → organisation; a
    /// name two organisations share is left out.
    pub by_name: HashMap<String, NamedNode>,
    /// Every stored organisation with its SIREN, if any.
    pub siren_of: HashMap<NamedNode, Option<String>>,
}

impl Stores {
    /// Indexes the stored organisations (`a org:Organization`) by
    /// `bia:siren` and by folded `foaf:name` / `skos:altLabel`.
    pub fn organisation_index(&self) -> Result<OrganisationIndex, StoreError> {
        let mut index = OrganisationIndex::default();
        let mut ambiguous = HashSet::new();
        for q in
            self.full
                .quads_for_pattern(None, Some(rdf::TYPE), Some(org::ORGANIZATION.into()), None)
        {
            let NamedOrBlankNode::NamedNode(o) = q?.subject else {
                continue;
            };
            if index.siren_of.contains_key(&o) {
                continue;
            }
            let mut siren = None;
            for q in self
                .full
                .quads_for_pattern(Some(o.as_ref().into()), None, None, None)
            {
                let q = q?;
                let Term::Literal(l) = &q.object else {
                    continue;
                };
                let p = q.predicate.as_ref();
                if p == bia::SIREN {
                    siren = Some(l.value().to_owned());
                    index.by_siren.insert(l.value().to_owned(), o.clone());
                } else if p == foaf::NAME || p == skos::ALT_LABEL {
                    let key = fold(l.value());
                    match index.by_name.get(&key) {
                        Some(other) if *other != o => {
                            ambiguous.insert(key);
                        }
                        Some(_) => {}
                        None => {
                            index.by_name.insert(key, o.clone());
                        }
                    }
                }
            }
            index.siren_of.insert(o, siren);
        }
        for key in ambiguous {
            index.by_name.remove(&key);
        }
        Ok(index)
    }

    /// Every name of the full store written with a dash (`foaf:name`,
    /// `skos:altLabel`, `rdfs:label`: organisations, territories), for the
    /// importer to tell a hyphenated name from names joined by dashes.
    pub fn hyphenated_names(&self) -> Result<Vec<String>, StoreError> {
        let mut names = Vec::new();
        for p in [foaf::NAME, skos::ALT_LABEL, rdfs::LABEL] {
            for q in self.full.quads_for_pattern(None, Some(p), None, None) {
                if let Term::Literal(l) = q?.object
                    && l.value().contains('-')
                {
                    names.push(l.value().to_owned());
                }
            }
        }
        Ok(names)
    }

    /// Whether anything in the full store is named `iri` (as a subject).
    pub fn has_subject(&self, iri: &NamedNode) -> Result<bool, StoreError> {
        Ok(self
            .full
            .quads_for_pattern(Some(iri.as_ref().into()), None, None, None)
            .next()
            .transpose()?
            .is_some())
    }

    /// Validates candidate records (quads already in their record graphs)
    /// against the shapes, as [`Stores::load`] would, without writing: the
    /// data graph holds the records, the model, and the types and schemes
    /// of the stored nodes they link to.
    pub fn validate_records<'a>(
        &'a self,
        quads: impl IntoIterator<Item = &'a Quad> + Clone,
    ) -> Result<ValidationReport, StoreError> {
        let subjects: HashSet<&NamedOrBlankNode> =
            quads.clone().into_iter().map(|q| &q.subject).collect();
        let model_subjects: HashSet<&NamedOrBlankNode> =
            self.model.quads.iter().map(|q| &q.subject).collect();
        let mut context = Vec::new();
        let mut looked = HashSet::new();
        for q in quads.clone() {
            let Term::NamedNode(o) = &q.object else {
                continue;
            };
            let node = NamedOrBlankNode::from(o.clone());
            if subjects.contains(&node)
                || model_subjects.contains(&node)
                || !looked.insert(o.clone())
            {
                continue;
            }
            for p in [rdf::TYPE, skos::IN_SCHEME] {
                for found in
                    self.full
                        .quads_for_pattern(Some(o.as_ref().into()), Some(p), None, None)
                {
                    context.push(Triple::from(found?));
                }
            }
        }
        let focus: Vec<Term> = subjects.iter().map(|s| Term::from((*s).clone())).collect();
        let data = DataGraph::from_triple_refs(
            quads
                .into_iter()
                .chain(&self.model.quads)
                .map(|q| {
                    TripleRef::new(q.subject.as_ref(), q.predicate.as_ref(), q.object.as_ref())
                })
                .chain(context.iter().map(Triple::as_ref)),
        );
        Ok(self.model.shapes.validate_focus(&data, &focus))
    }
}

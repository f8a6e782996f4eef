//! From spreadsheet rows to RDF records: each row is cleaned and matched
//! ([`prepare`]), then the organisations of all rows are resolved against
//! each other and the store, and the project and organisation records are
//! written ([`build`]). Every record is a set of quads in its own named graph.
//!
//! `prepare.rs` cleans and matches a row, `organisations.rs` deduplicates
//! the organisations; this file writes the records.

use super::concepts::Concepts;
use super::interconnectes::{Field, Row};
use super::normalize::{self, Identifier, PartialDate};
use super::partners::{self, KnownNames};
use crate::iri::{BaseIri, fold, slug};
use crate::store::{OrganisationIndex, StoreError, Stores};
use crate::vocab::{adms, bia, dcat, dcterms, foaf, geo, org, prov, schema, skos, vcard};
use oxigraph::model::{
    GraphName, Literal, NamedNode, NamedNodeRef, Quad, Term, vocab::rdf, vocab::xsd,
};
use std::collections::{BTreeMap, BTreeSet, HashMap};

mod organisations;
mod prepare;

use organisations::{Draft, Registry};
pub(crate) use prepare::{Prepared, Rules, prepare};

/// What every record of one import shares.
pub(crate) struct Context<'a> {
    pub(crate) base: &'a BaseIri,
    pub(crate) concepts: &'a Concepts,
    /// The file name recorded as `dcterms:source`.
    pub(crate) source: &'a str,
    /// The `prov:generatedAtTime` of this run.
    pub(crate) generated: Literal,
}

pub(super) type Props = Vec<(NamedNode, Term)>;

pub(super) fn fr(text: &str) -> Term {
    Literal::new_language_tagged_literal_unchecked(text, "fr").into()
}

pub(super) fn typed(value: &str, datatype: NamedNodeRef<'_>) -> Term {
    Literal::new_typed_literal(value, datatype).into()
}

/// The records built from the prepared rows.
#[derive(Debug, Default)]
pub(crate) struct Built {
    /// Record IRI → its quads (in the record's graph).
    pub(crate) records: BTreeMap<NamedNode, Vec<Quad>>,
    /// Record IRI → the rows (indexes in the prepared list) it comes from.
    pub(crate) rows_of: HashMap<NamedNode, Vec<usize>>,
    /// Rows refused while building (index, reason).
    pub(crate) refused: Vec<(usize, String)>,
    /// Rows that repeat an earlier row exactly (index, earlier row number).
    pub(crate) repeated: Vec<(usize, usize)>,
    /// Organisations this import creates.
    pub(crate) created: BTreeSet<NamedNode>,
    /// Stored organisations this import reuses.
    pub(crate) reused: BTreeSet<NamedNode>,
}

fn last_segment(iri: &NamedNode) -> &str {
    iri.as_str().rsplit('/').next().unwrap_or_default()
}

/// The specific class of an organisation type concept.
fn class_of(org_type: &NamedNode) -> NamedNodeRef<'static> {
    match last_segment(org_type) {
        "operateur" => bia::PUBLIC_OPERATOR,
        "entreprise" => bia::COMPANY,
        "laboratoire" => bia::RESEARCH_LAB,
        "association" => bia::ASSOCIATION,
        "service-de-l-etat" => bia::STATE_SERVICE,
        _ => bia::LOCAL_AUTHORITY,
    }
}

const KINDS: [NamedNodeRef<'static>; 6] = [
    bia::LOCAL_AUTHORITY,
    bia::PUBLIC_OPERATOR,
    bia::COMPANY,
    bia::RESEARCH_LAB,
    bia::ASSOCIATION,
    bia::STATE_SERVICE,
];

/// Whether a predicate is record provenance (replaced by each import).
pub(crate) fn is_provenance(p: NamedNodeRef<'_>) -> bool {
    p == dcterms::SOURCE || p == bia::SOURCE_ROW || p == prov::GENERATED_AT_TIME
}

/// Resolves the organisations of `rows` (skipping those in `skip`) and
/// writes every record.
pub(crate) fn build(
    stores: &Stores,
    index: &OrganisationIndex,
    rows: &[Prepared],
    skip: &BTreeSet<usize>,
    cx: &Context<'_>,
) -> Result<Built, StoreError> {
    let mut reg = Registry {
        stores,
        index,
        base: cx.base,
        drafts: Vec::new(),
        by_iri: HashMap::new(),
        by_siren: HashMap::new(),
        by_name: HashMap::new(),
    };
    let mut built = Built::default();
    let mut project_rows: HashMap<NamedNode, (usize, Vec<Quad>)> = HashMap::new();
    let default_role = cx
        .concepts
        .by_notation("role-partenaire", "partenaire")
        .cloned();
    for (i, p) in rows.iter().enumerate() {
        if skip.contains(&i) {
            continue;
        }
        let leader = reg.resolve(&p.org_name, p.id.as_ref().map(Identifier::siren), p.row)?;
        {
            let d = &mut reg.drafts[leader];
            if let Some(s) = p.id.as_ref().and_then(Identifier::siret) {
                d.sirets.insert(s.to_owned());
            }
            if d.org_type.is_none() {
                d.org_type.clone_from(&p.org_type);
            }
        }
        let leader_iri = reg.drafts[leader].iri.clone();
        let subject = cx.base.join(&format!(
            "id/projet/{}",
            slug(&format!("{}-{}", last_segment(&leader_iri), p.title))
        ));
        let g = GraphName::from(subject.clone());
        let mut quads = vec![
            Quad::new(subject.clone(), rdf::TYPE, bia::USE_CASE, g.clone()),
            Quad::new(subject.clone(), bia::LED_BY, leader_iri.clone(), g.clone()),
        ];
        quads.extend(
            p.project
                .iter()
                .map(|(pr, o)| Quad::new(subject.clone(), pr.clone(), o.clone(), g.clone())),
        );
        let mut partners_seen = BTreeSet::new();
        for (name, role) in &p.partners {
            let k = reg.resolve(name, None, p.row)?;
            let partner = reg.drafts[k].iri.clone();
            if partner == leader_iri || !partners_seen.insert(partner.clone()) {
                continue;
            }
            let node = NamedNode::new_unchecked(format!(
                "{}#partenariat-{}",
                subject.as_str(),
                last_segment(&partner)
            ));
            quads.push(Quad::new(
                subject.clone(),
                bia::PARTNERSHIP_LINK,
                node.clone(),
                g.clone(),
            ));
            quads.push(Quad::new(
                node.clone(),
                rdf::TYPE,
                bia::PARTNERSHIP,
                g.clone(),
            ));
            quads.push(Quad::new(node.clone(), bia::PARTNER, partner, g.clone()));
            if let Some(role) = role.as_ref().or(default_role.as_ref()) {
                quads.push(Quad::new(node, bia::PARTNER_ROLE, role.clone(), g.clone()));
            }
        }
        for (fragment, class, link, props) in [
            ("contact", vcard::KIND, dcat::CONTACT_POINT, &p.contact),
            (
                "algorithme",
                bia::ALGORITHM_RECORD,
                bia::ALGORITHM,
                &p.algorithm,
            ),
        ] {
            if props.is_empty() {
                continue;
            }
            let node = NamedNode::new_unchecked(format!("{}#{fragment}", subject.as_str()));
            quads.push(Quad::new(subject.clone(), link, node.clone(), g.clone()));
            quads.push(Quad::new(node.clone(), rdf::TYPE, class, g.clone()));
            quads.extend(
                props
                    .iter()
                    .map(|(pr, o)| Quad::new(node.clone(), pr.clone(), o.clone(), g.clone())),
            );
        }
        if let Some((earlier, content)) = project_rows.get(&subject) {
            if *content == quads {
                built.repeated.push((i, rows[*earlier].row));
            } else {
                built.refused.push((
                    i,
                    format!(
                        "même projet (même organisation, même nom) que la ligne {} avec un contenu différent : fusionnez les deux lignes",
                        rows[*earlier].row
                    ),
                ));
            }
            continue;
        }
        project_rows.insert(subject.clone(), (i, quads.clone()));
        quads.extend(provenance(&subject, p.row, cx));
        for q in &quads {
            if (q.predicate.as_ref() == bia::LED_BY || q.predicate.as_ref() == bia::PARTNER)
                && let Term::NamedNode(o) = &q.object
            {
                built.rows_of.entry(o.clone()).or_default().push(i);
            }
        }
        built.rows_of.entry(subject.clone()).or_default().push(i);
        built.records.insert(subject, quads);
    }
    for d in &reg.drafts {
        if !built.rows_of.contains_key(&d.iri) {
            continue;
        }
        built
            .records
            .insert(d.iri.clone(), organisation(stores, d, cx)?);
        if d.stored {
            built.reused.insert(d.iri.clone());
        } else {
            built.created.insert(d.iri.clone());
        }
    }
    Ok(built)
}

fn provenance(subject: &NamedNode, row: usize, cx: &Context<'_>) -> Vec<Quad> {
    let g = GraphName::from(
        cx.base
            .record_of(subject.as_ref())
            .unwrap_or_else(|| subject.clone()),
    );
    vec![
        Quad::new(
            subject.clone(),
            dcterms::SOURCE,
            Literal::from(cx.source),
            g.clone(),
        ),
        Quad::new(
            subject.clone(),
            bia::SOURCE_ROW,
            Literal::new_typed_literal(row.to_string(), xsd::INTEGER),
            g.clone(),
        ),
        Quad::new(
            subject.clone(),
            prov::GENERATED_AT_TIME,
            cx.generated.clone(),
            g,
        ),
    ]
}

/// An organisation record: the stored one (if any) with what the file adds
/// (spellings as `skos:altLabel`, SIREN, SIRETs, and the type, which the
/// file may correct), and this import's provenance.
fn organisation(stores: &Stores, d: &Draft, cx: &Context<'_>) -> Result<Vec<Quad>, StoreError> {
    let g = GraphName::from(d.iri.clone());
    let s = &d.iri;
    let mut quads: Vec<Quad> = if d.stored {
        stores
            .graph_quads(&d.iri.clone().into())?
            .into_iter()
            .filter(|q| !is_provenance(q.predicate.as_ref()))
            .collect()
    } else {
        Vec::new()
    };
    let names: Vec<String> = quads
        .iter()
        .filter(|q| {
            q.subject == s.clone().into()
                && (q.predicate.as_ref() == foaf::NAME || q.predicate.as_ref() == skos::ALT_LABEL)
        })
        .filter_map(|q| {
            if let Term::Literal(l) = &q.object {
                Some(l.value().to_owned())
            } else {
                None
            }
        })
        .collect();
    let add = |p: NamedNodeRef<'_>, o: Term, quads: &mut Vec<Quad>| {
        let q = Quad::new(s.clone(), p, o, g.clone());
        if !quads.contains(&q) {
            quads.push(q);
        }
    };
    add(rdf::TYPE, org::ORGANIZATION.into(), &mut quads);
    let mut spellings = d.spellings.iter();
    if names.is_empty()
        && let Some(first) = spellings.next()
    {
        add(foaf::NAME, fr(first), &mut quads);
    }
    for other in spellings {
        if !names.contains(other) {
            add(skos::ALT_LABEL, fr(other), &mut quads);
        }
    }
    let has = |quads: &[Quad], p: NamedNodeRef<'_>| {
        quads
            .iter()
            .any(|q| q.subject == s.clone().into() && q.predicate.as_ref() == p)
    };
    if let Some(siren) = &d.siren
        && !has(&quads, bia::SIREN)
    {
        add(bia::SIREN, Literal::from(siren.as_str()).into(), &mut quads);
    }
    for siret in &d.sirets {
        add(bia::SIRET, Literal::from(siret.as_str()).into(), &mut quads);
    }
    if let Some(t) = &d.org_type {
        quads.retain(|q| {
            !(q.predicate.as_ref() == bia::ORGANISATION_TYPE
                || q.predicate.as_ref() == rdf::TYPE
                    && KINDS.iter().any(|k| q.object == Term::from(*k)))
        });
        add(bia::ORGANISATION_TYPE, t.clone().into(), &mut quads);
        add(rdf::TYPE, class_of(t).into(), &mut quads);
    }
    quads.extend(provenance(s, d.first_row, cx));
    Ok(quads)
}

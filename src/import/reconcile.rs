//! The reconcile loop of an import: the records built from the prepared
//! rows are compared with the store, the changed ones validated together;
//! the rows whose records fail are rejected with the shapes' French
//! messages, and the rest rebuilt and validated again, until what remains
//! conforms (at most [`MAX_ROUNDS`] rounds).

use super::records::{self, Built, Context, Prepared};
use super::{ImportError, Step};
use crate::shacl::{Severity, ValidationReport};
use crate::store::{OrganisationIndex, StoreError, Stores};
use crate::vocab::prov;
use oxigraph::model::{NamedNode, Quad, Term};
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// How many times rows failing validation are removed and the rest
/// validated again before giving up.
const MAX_ROUNDS: usize = 8;

/// What remains once every record conforms.
pub(super) struct Reconciled {
    /// The records built from the rows kept.
    pub(super) built: Built,
    /// The quads of the records that differ from the store.
    pub(super) changed: Vec<Quad>,
    /// How many records equal the stored ones.
    pub(super) unchanged: usize,
    /// The prepared rows left out.
    pub(super) skip: BTreeSet<usize>,
}

/// Builds, compares and validates until what remains conforms; the reasons
/// of the rows left out go to `rejected`.
pub(super) fn reconcile(
    stores: &Stores,
    index: &OrganisationIndex,
    prepared: &[Prepared],
    cx: &Context<'_>,
    rejected: &mut BTreeMap<usize, String>,
    tell: &dyn Fn(Step),
) -> Result<Reconciled, ImportError> {
    let mut skip: BTreeSet<usize> = BTreeSet::new();
    let mut round = 0;
    loop {
        round += 1;
        let built = records::build(stores, index, prepared, &skip, cx)?;
        for (i, reason) in &built.refused {
            skip.insert(*i);
            rejected.insert(prepared[*i].row, reason.clone());
        }
        let mut changed: Vec<Quad> = Vec::new();
        let mut unchanged = 0;
        for (iri, quads) in &built.records {
            if same_as_stored(stores, iri, quads)? {
                unchanged += 1;
            } else {
                changed.extend(quads.iter().cloned());
            }
        }
        tell(Step::Validating(changed.len() as u64));
        let report = stores.validate_records(&changed)?;
        let failing = violations(&report);
        if failing.is_empty() && built.refused.is_empty() {
            return Ok(Reconciled {
                built,
                changed,
                unchanged,
                skip,
            });
        }
        let mut newly = 0;
        for (focus, message) in failing {
            let Term::NamedNode(n) = &focus else { continue };
            let Some(record) = stores.base().record_of(n.as_ref()) else {
                continue;
            };
            for &i in built.rows_of.get(&record).into_iter().flatten() {
                if skip.insert(i) {
                    newly += 1;
                }
                let p = &prepared[i];
                let reason = rejected.entry(p.row).or_insert_with(|| {
                    let mut r = "fiche non conforme".to_owned();
                    if &record != n && !n.as_str().contains("/id/projet/") {
                        r += &format!(
                            " ({})",
                            record.as_str().rsplit('/').next().unwrap_or_default()
                        );
                    }
                    r
                });
                if !reason.contains(&message) {
                    reason.push_str(" : ");
                    reason.push_str(&message);
                }
            }
        }
        if newly == 0 && built.refused.is_empty() || round >= MAX_ROUNDS {
            return Err(ImportError::NotConverging);
        }
    }
}

/// Whether a record's quads equal the stored graph, `prov:generatedAtTime`
/// aside.
fn same_as_stored(stores: &Stores, iri: &NamedNode, quads: &[Quad]) -> Result<bool, StoreError> {
    let keep = |q: &&Quad| q.predicate.as_ref() != prov::GENERATED_AT_TIME;
    let stored: HashSet<Quad> = stores
        .graph_quads(&iri.clone().into())?
        .iter()
        .filter(keep)
        .cloned()
        .collect();
    if stored.is_empty() {
        return Ok(false);
    }
    let mine: HashSet<Quad> = quads.iter().filter(keep).cloned().collect();
    Ok(stored == mine)
}

/// The violations of a report (warnings and infos do not reject a row):
/// focus node and French message.
fn violations(report: &ValidationReport) -> Vec<(Term, String)> {
    report
        .results()
        .iter()
        .filter(|r| *r.severity() == Severity::Violation)
        .map(|r| (r.focus_node().clone(), r.message().value().to_owned()))
        .collect()
}

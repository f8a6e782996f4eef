//! Value range constraint components: `sh:minExclusive`, `sh:minInclusive`,
//! `sh:maxExclusive`, `sh:maxInclusive` (SPARQL ordering; values that cannot
//! be compared with the bound violate it).

use std::cmp::Ordering;

use oxrdf::{LiteralRef, NamedNodeRef};

use super::compile::Bound;
use super::data::TermId;
use super::literal::{compare, value_of};
use super::validate::{At, Ctx, Flow, Sink};
use crate::vocab::sh;

/// The component of a bound.
pub(crate) fn component(bound: Bound) -> NamedNodeRef<'static> {
    match bound {
        Bound::MinExclusive => sh::MIN_EXCLUSIVE_CONSTRAINT_COMPONENT,
        Bound::MinInclusive => sh::MIN_INCLUSIVE_CONSTRAINT_COMPONENT,
        Bound::MaxExclusive => sh::MAX_EXCLUSIVE_CONSTRAINT_COMPONENT,
        Bound::MaxInclusive => sh::MAX_INCLUSIVE_CONSTRAINT_COMPONENT,
    }
}

/// Checks every value against the bound.
pub(crate) fn check(
    ctx: &Ctx<'_>,
    at: At,
    bound: Bound,
    limit: LiteralRef<'_>,
    values: &[TermId],
    sink: &mut Sink<'_>,
) -> Flow {
    let Some(limit) = value_of(limit) else {
        return Flow::Continue(());
    };
    for &v in values {
        let ord = ctx
            .literal(v)
            .and_then(value_of)
            .and_then(|x| compare(&x, &limit));
        let ok = match (bound, ord) {
            (_, None) => false,
            (Bound::MinExclusive, Some(o)) => o == Ordering::Greater,
            (Bound::MinInclusive, Some(o)) => o != Ordering::Less,
            (Bound::MaxExclusive, Some(o)) => o == Ordering::Less,
            (Bound::MaxInclusive, Some(o)) => o != Ordering::Greater,
        };
        if !ok {
            sink.report(at, component(bound), Some(v))?;
        }
    }
    Flow::Continue(())
}

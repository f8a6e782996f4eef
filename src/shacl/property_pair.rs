//! Property pair constraint components: `sh:equals`, `sh:disjoint`,
//! `sh:lessThan`, `sh:lessThanOrEquals` (compared with the values of a
//! predicate of the focus node).

use std::cmp::Ordering;

use oxrdf::NamedNodeRef;

use super::compile::{ConstId, Pair};
use super::data::TermId;
use super::literal::{compare, value_of};
use super::validate::{At, Ctx, Flow, Sink};
use crate::vocab::sh;

/// The component of a pair kind.
pub(crate) fn component(pair: Pair) -> NamedNodeRef<'static> {
    match pair {
        Pair::Equals => sh::EQUALS_CONSTRAINT_COMPONENT,
        Pair::Disjoint => sh::DISJOINT_CONSTRAINT_COMPONENT,
        Pair::LessThan => sh::LESS_THAN_CONSTRAINT_COMPONENT,
        Pair::LessThanOrEquals => sh::LESS_THAN_OR_EQUALS_CONSTRAINT_COMPONENT,
    }
}

/// Checks the values (sorted, distinct) against the focus node's values of
/// the predicate `p`.
pub(crate) fn check(
    ctx: &Ctx<'_>,
    at: At,
    pair: Pair,
    p: ConstId,
    values: &[TermId],
    sink: &mut Sink<'_>,
) -> Flow {
    let others = ctx.data.objects(at.focus, ctx.id(p));
    let comp = component(pair);
    match pair {
        Pair::Equals => {
            for &v in values {
                if others.binary_search(&v).is_err() {
                    sink.report(at, comp, Some(v))?;
                }
            }
            for &o in others {
                if values.binary_search(&o).is_err() {
                    sink.report(at, comp, Some(o))?;
                }
            }
        }
        Pair::Disjoint => {
            for &v in values {
                if others.binary_search(&v).is_ok() {
                    sink.report(at, comp, Some(v))?;
                }
            }
        }
        Pair::LessThan | Pair::LessThanOrEquals => {
            for &v in values {
                let left = ctx.literal(v).and_then(value_of);
                for &o in others {
                    let right = ctx.literal(o).and_then(value_of);
                    let ord = match (&left, &right) {
                        (Some(a), Some(b)) => compare(a, b),
                        _ => None,
                    };
                    let ok = match ord {
                        Some(Ordering::Less) => true,
                        Some(Ordering::Equal) => pair == Pair::LessThanOrEquals,
                        _ => false,
                    };
                    if !ok {
                        sink.report(at, comp, Some(v))?;
                    }
                }
            }
        }
    }
    Flow::Continue(())
}

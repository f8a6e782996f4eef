//! Shape-based constraint components: `sh:node`, `sh:property`,
//! `sh:qualifiedValueShape` (with `sh:qualifiedMinCount`,
//! `sh:qualifiedMaxCount` and `sh:qualifiedValueShapesDisjoint`).

use super::compile::ShapeId;
use super::data::TermId;
use super::validate::{At, Ctx, Flow, Sink};
use crate::vocab::sh;

/// `sh:node`: every value conforms to the shape.
pub(crate) fn node(
    ctx: &Ctx<'_>,
    at: At,
    shape: ShapeId,
    values: &[TermId],
    sink: &mut Sink<'_>,
) -> Flow {
    for &v in values {
        if !ctx.conforms(shape, v) {
            sink.report(at, sh::NODE_CONSTRAINT_COMPONENT, Some(v))?;
        }
    }
    Flow::Continue(())
}

/// `sh:property`: every value is validated against the property shape, whose
/// own results are reported.
pub(crate) fn property(
    ctx: &Ctx<'_>,
    shape: ShapeId,
    values: &[TermId],
    sink: &mut Sink<'_>,
) -> Flow {
    for &v in values {
        ctx.validate_shape(shape, v, sink)?;
    }
    Flow::Continue(())
}

/// `sh:qualifiedValueShape`: counts the values that conform to the shape and
/// (when disjoint) to none of its siblings.
#[expect(
    clippy::too_many_arguments,
    reason = "one parameter per component parameter"
)]
pub(crate) fn qualified(
    ctx: &Ctx<'_>,
    at: At,
    shape: ShapeId,
    min: Option<usize>,
    max: Option<usize>,
    siblings: &[ShapeId],
    values: &[TermId],
    sink: &mut Sink<'_>,
) -> Flow {
    let count = values
        .iter()
        .filter(|&&v| ctx.conforms(shape, v) && !siblings.iter().any(|&s| ctx.conforms(s, v)))
        .count();
    if min.is_some_and(|m| count < m) {
        sink.report(at, sh::QUALIFIED_MIN_COUNT_CONSTRAINT_COMPONENT, None)?;
    }
    if max.is_some_and(|m| count > m) {
        sink.report(at, sh::QUALIFIED_MAX_COUNT_CONSTRAINT_COMPONENT, None)?;
    }
    Flow::Continue(())
}

//! Logical constraint components: `sh:not`, `sh:and`, `sh:or`, `sh:xone`.

use super::compile::{Logic, ShapeId};
use super::data::TermId;
use super::validate::{At, Ctx, Flow, Sink};
use crate::vocab::sh;

/// `sh:not`: no value conforms to the shape.
pub(crate) fn not(
    ctx: &Ctx<'_>,
    at: At,
    shape: ShapeId,
    values: &[TermId],
    sink: &mut Sink<'_>,
) -> Flow {
    for &v in values {
        if ctx.conforms(shape, v) {
            sink.report(at, sh::NOT_CONSTRAINT_COMPONENT, Some(v))?;
        }
    }
    Flow::Continue(())
}

/// `sh:and`, `sh:or`, `sh:xone` over a list of shapes.
pub(crate) fn combine(
    ctx: &Ctx<'_>,
    at: At,
    logic: Logic,
    shapes: &[ShapeId],
    values: &[TermId],
    sink: &mut Sink<'_>,
) -> Flow {
    for &v in values {
        let (ok, component) = match logic {
            Logic::And => (
                shapes.iter().all(|&s| ctx.conforms(s, v)),
                sh::AND_CONSTRAINT_COMPONENT,
            ),
            Logic::Or => (
                shapes.iter().any(|&s| ctx.conforms(s, v)),
                sh::OR_CONSTRAINT_COMPONENT,
            ),
            Logic::Xone => (
                shapes.iter().filter(|&&s| ctx.conforms(s, v)).count() == 1,
                sh::XONE_CONSTRAINT_COMPONENT,
            ),
        };
        if !ok {
            sink.report(at, component, Some(v))?;
        }
    }
    Flow::Continue(())
}

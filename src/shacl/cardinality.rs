//! Cardinality constraint components: `sh:minCount`, `sh:maxCount`.

use super::data::TermId;
use super::validate::{At, Flow, Sink};
use crate::vocab::sh;

/// `sh:minCount`: at least `min` values.
pub(crate) fn min_count(at: At, min: usize, values: &[TermId], sink: &mut Sink<'_>) -> Flow {
    if values.len() < min {
        sink.report(at, sh::MIN_COUNT_CONSTRAINT_COMPONENT, None)?;
    }
    Flow::Continue(())
}

/// `sh:maxCount`: at most `max` values.
pub(crate) fn max_count(at: At, max: usize, values: &[TermId], sink: &mut Sink<'_>) -> Flow {
    if values.len() > max {
        sink.report(at, sh::MAX_COUNT_CONSTRAINT_COMPONENT, None)?;
    }
    Flow::Continue(())
}

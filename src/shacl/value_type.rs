//! Value type constraint components: `sh:class`, `sh:datatype`, `sh:nodeKind`.

use oxrdf::{NamedNodeRef, Term};

use super::compile::{ConstId, KIND_BLANK, KIND_IRI, KIND_LITERAL};
use super::data::TermId;
use super::literal::is_well_formed;
use super::validate::{At, Ctx, Flow, Sink};
use crate::vocab::sh;

/// `sh:class`: every value is a SHACL instance of the class.
pub(crate) fn class(
    ctx: &Ctx<'_>,
    at: At,
    class: ConstId,
    values: &[TermId],
    sink: &mut Sink<'_>,
) -> Flow {
    for &v in values {
        if !ctx.is_instance(v, class) {
            sink.report(at, sh::CLASS_CONSTRAINT_COMPONENT, Some(v))?;
        }
    }
    Flow::Continue(())
}

/// `sh:datatype`: every value is a well-formed literal of the datatype.
pub(crate) fn datatype(
    ctx: &Ctx<'_>,
    at: At,
    datatype: NamedNodeRef<'_>,
    values: &[TermId],
    sink: &mut Sink<'_>,
) -> Flow {
    for &v in values {
        let ok = ctx
            .literal(v)
            .is_some_and(|l| l.datatype() == datatype && is_well_formed(l));
        if !ok {
            sink.report(at, sh::DATATYPE_CONSTRAINT_COMPONENT, Some(v))?;
        }
    }
    Flow::Continue(())
}

/// The node-kind bit of a term.
pub(crate) fn kind(term: &Term) -> u8 {
    match term {
        Term::BlankNode(_) => KIND_BLANK,
        Term::Literal(_) => KIND_LITERAL,
        _ => KIND_IRI,
    }
}

/// `sh:nodeKind`: every value is of one of the allowed kinds.
pub(crate) fn node_kind(
    ctx: &Ctx<'_>,
    at: At,
    mask: u8,
    values: &[TermId],
    sink: &mut Sink<'_>,
) -> Flow {
    for &v in values {
        if kind(ctx.term(v)) & mask == 0 {
            sink.report(at, sh::NODE_KIND_CONSTRAINT_COMPONENT, Some(v))?;
        }
    }
    Flow::Continue(())
}

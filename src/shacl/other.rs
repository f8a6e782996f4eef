//! Other constraint components: `sh:closed` (with `sh:ignoredProperties`),
//! `sh:hasValue`, `sh:in`, and bibia's native `bia:luhn`.

use super::compile::ConstId;
use super::data::TermId;
use super::string::str_of;
use super::validate::{At, Ctx, Flow, Raw, Sink};
use crate::vocab::sh;

/// `sh:closed true`: each value has only allowed predicates; one result per
/// offending triple, with the predicate as path and the object as value.
pub(crate) fn closed(
    ctx: &Ctx<'_>,
    at: At,
    set: usize,
    values: &[TermId],
    sink: &mut Sink<'_>,
) -> Flow {
    let allowed = &ctx.sets[set];
    for &v in values {
        let (preds, objects) = ctx.data.outgoing(v);
        for (&p, &o) in preds.iter().zip(objects) {
            if allowed.binary_search(&p).is_err() {
                sink.report_raw(Raw {
                    at,
                    component: sh::CLOSED_CONSTRAINT_COMPONENT,
                    value: Some(o),
                    predicate: Some(p),
                })?;
            }
        }
    }
    Flow::Continue(())
}

/// `sh:hasValue`: the value is among the values.
pub(crate) fn has_value(
    ctx: &Ctx<'_>,
    at: At,
    c: ConstId,
    values: &[TermId],
    sink: &mut Sink<'_>,
) -> Flow {
    if !values.contains(&ctx.id(c)) {
        sink.report(at, sh::HAS_VALUE_CONSTRAINT_COMPONENT, None)?;
    }
    Flow::Continue(())
}

/// `sh:in`: every value is a member of the list.
pub(crate) fn in_list(
    ctx: &Ctx<'_>,
    at: At,
    set: usize,
    values: &[TermId],
    sink: &mut Sink<'_>,
) -> Flow {
    let members = &ctx.sets[set];
    for &v in values {
        if members.binary_search(&v).is_err() {
            sink.report(at, sh::IN_CONSTRAINT_COMPONENT, Some(v))?;
        }
    }
    Flow::Continue(())
}

/// `bia:luhn true`: a SIREN (9 digits) or SIRET (14 digits) has a valid Luhn
/// check digit; a La Poste SIRET (starting with SIREN 356000000) has a digit
/// sum that is a multiple of 5 instead, or is its head office's
/// (see [`crate::siren`]). Values that are not 9 or 14 digits
/// conform: their format is `sh:pattern`'s business (as in the SPARQL
/// validator declared in `shapes/bibia.shapes.ttl`).
pub(crate) fn luhn(ctx: &Ctx<'_>, at: At, values: &[TermId], sink: &mut Sink<'_>) -> Flow {
    for &v in values {
        if !str_of(ctx.term(v)).is_some_and(is_valid_luhn) {
            sink.report(at, sh::BIA_LUHN_CONSTRAINT_COMPONENT, Some(v))?;
        }
    }
    Flow::Continue(())
}

/// The rule of [`crate::siren`]; values that are not 9 or 14 digits
/// conform (see [`luhn`]).
pub(crate) fn is_valid_luhn(s: &str) -> bool {
    if !matches!(s.len(), 9 | 14) || !s.bytes().all(|b| b.is_ascii_digit()) {
        return true;
    }
    crate::siren::has_valid_key(s)
}

#[cfg(test)]
mod tests {
    use super::is_valid_luhn;

    #[test]
    fn luhn_with_la_poste_exception() {
        assert!(is_valid_luhn("732829320")); // a valid SIREN
        assert!(!is_valid_luhn("732829321"));
        assert!(is_valid_luhn("73282932000074")); // a valid SIRET
        assert!(!is_valid_luhn("73282932000075"));
        assert!(is_valid_luhn("356000000")); // La Poste's SIREN passes Luhn
        assert!(is_valid_luhn("35600000000001")); // fails Luhn, digit sum 15
        assert!(is_valid_luhn("35600000000048")); // La Poste's head office passes Luhn
        assert!(!is_valid_luhn("35600000000139")); // passes Luhn, digit sum 27: not the head office
        assert!(!is_valid_luhn("12345678900019")); // digit sum 55: the exception is La Poste's only
        // Not 9 or 14 digits: left to sh:pattern.
        assert!(is_valid_luhn("21690999"));
        assert!(is_valid_luhn("216 909 994 00012"));
        assert!(is_valid_luhn(""));
    }
}

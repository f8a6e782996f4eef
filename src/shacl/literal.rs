//! XSD literals: lexical well-formedness (for `sh:datatype`) and ordered
//! values (for the range and property-pair comparisons, with SPARQL `<`
//! semantics). Dates, times, durations and the numbers' values and orders
//! are oxsdatatypes' (what oxigraph itself uses); the lexical rules it does
//! not give (bounded integers, `xsd:double`'s `INF`, strings, binaries) are
//! checked here.

use std::cmp::Ordering;
use std::str::FromStr as _;

use oxrdf::LiteralRef;
use oxsdatatypes::{
    Date, DateTime, DayTimeDuration, Decimal, Double, Duration, Float, GDay, GMonth, GMonthDay,
    GYear, GYearMonth, Time, YearMonthDuration,
};

const XSD: &str = "http://www.w3.org/2001/XMLSchema#";
const RDF_LANG_STRING: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString";

/// Whether `lit` is a well-formed literal of its own datatype. Datatypes this
/// module does not know are assumed well-formed.
pub(crate) fn is_well_formed(lit: LiteralRef<'_>) -> bool {
    let dt = lit.datatype().as_str();
    if dt == RDF_LANG_STRING {
        return lit.language().is_some();
    }
    let Some(local) = dt.strip_prefix(XSD) else {
        return true;
    };
    let v = lit.value();
    match local {
        "boolean" => matches!(v, "true" | "false" | "1" | "0"),
        "decimal" => is_decimal(v),
        "float" | "double" => parse_double(v).is_some(),
        "integer" => int_in(v, None, None),
        "long" => int_in(v, Some(i64::MIN.into()), Some(i64::MAX.into())),
        "int" => int_in(v, Some(i32::MIN.into()), Some(i32::MAX.into())),
        "short" => int_in(v, Some(i16::MIN.into()), Some(i16::MAX.into())),
        "byte" => int_in(v, Some(i8::MIN.into()), Some(i8::MAX.into())),
        "nonNegativeInteger" => int_in(v, Some(0), None),
        "positiveInteger" => int_in(v, Some(1), None),
        "nonPositiveInteger" => int_in(v, None, Some(0)),
        "negativeInteger" => int_in(v, None, Some(-1)),
        "unsignedLong" => int_in(v, Some(0), Some(u64::MAX.into())),
        "unsignedInt" => int_in(v, Some(0), Some(u32::MAX.into())),
        "unsignedShort" => int_in(v, Some(0), Some(u16::MAX.into())),
        "unsignedByte" => int_in(v, Some(0), Some(u8::MAX.into())),
        "dateTime" => DateTime::from_str(v).is_ok(),
        "dateTimeStamp" => DateTime::from_str(v).is_ok_and(|d| d.timezone().is_some()),
        "date" => Date::from_str(v).is_ok(),
        "time" => Time::from_str(v).is_ok(),
        "gYear" => GYear::from_str(v).is_ok(),
        "gYearMonth" => GYearMonth::from_str(v).is_ok(),
        "gMonth" => GMonth::from_str(v).is_ok(),
        "gDay" => GDay::from_str(v).is_ok(),
        "gMonthDay" => GMonthDay::from_str(v).is_ok(),
        "duration" => Duration::from_str(v).is_ok(),
        "yearMonthDuration" => YearMonthDuration::from_str(v).is_ok(),
        "dayTimeDuration" => DayTimeDuration::from_str(v).is_ok(),
        "hexBinary" => v.len().is_multiple_of(2) && v.bytes().all(|b| b.is_ascii_hexdigit()),
        "base64Binary" => is_base64(v),
        "normalizedString" => !v.contains(['\r', '\n', '\t']),
        "token" | "language" | "NMTOKEN" | "Name" | "NCName" => {
            !v.contains(['\r', '\n', '\t'])
                && !v.starts_with(' ')
                && !v.ends_with(' ')
                && !v.contains("  ")
                && (local != "language" || is_language_tag(v))
                && (!matches!(local, "NMTOKEN" | "Name" | "NCName")
                    || (!v.is_empty() && !v.contains(' ')))
        }
        _ => true,
    }
}

fn is_language_tag(v: &str) -> bool {
    let mut parts = v.split('-');
    let first_ok = parts
        .next()
        .is_some_and(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphabetic()));
    first_ok
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

fn is_base64(v: &str) -> bool {
    let clean: Vec<u8> = v.bytes().filter(|b| *b != b' ').collect();
    if !clean.len().is_multiple_of(4) {
        return false;
    }
    let body = clean.iter().rposition(|b| *b != b'=').map_or(0, |i| i + 1);
    clean.len() - body <= 2
        && clean[..body]
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'+' || *b == b'/')
}

fn int_in(v: &str, min: Option<i128>, max: Option<i128>) -> bool {
    let Some(n) = parse_integer(v) else {
        return false;
    };
    match n {
        Some(n) => min.is_none_or(|m| n >= m) && max.is_none_or(|m| n <= m),
        // Too large for i128: fine only when unbounded on that side.
        None => {
            let negative = v.starts_with('-');
            if negative {
                min.is_none()
            } else {
                max.is_none()
            }
        }
    }
}

/// `Some(Some(n))` for a well-formed integer fitting i128, `Some(None)` for a
/// well-formed one that does not fit, `None` when ill-formed.
fn parse_integer(v: &str) -> Option<Option<i128>> {
    let digits = v.strip_prefix(['+', '-']).unwrap_or(v);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(v.parse::<i128>().ok())
}

/// The lexical form of `xsd:decimal` (any number of digits).
fn is_decimal(v: &str) -> bool {
    let body = v.strip_prefix(['+', '-']).unwrap_or(v);
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    !(int.is_empty() && frac.is_empty())
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
}

fn parse_double(v: &str) -> Option<f64> {
    match v {
        "INF" | "+INF" => return Some(f64::INFINITY),
        "-INF" => return Some(f64::NEG_INFINITY),
        "NaN" => return Some(f64::NAN),
        _ => {}
    }
    let body = v.strip_prefix(['+', '-']).unwrap_or(v);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (int.is_empty() && frac.is_empty()) || !digits(int) || !digits(frac) {
        return None;
    }
    if let Some(e) = exponent {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        if e.is_empty() || !digits(e) {
            return None;
        }
    }
    v.parse().ok()
}

/// A literal's value, for ordering comparisons (oxsdatatypes' values and
/// their XSD orders).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Value<'a> {
    Decimal(Decimal),
    Double(Double),
    Str(&'a str),
    Bool(bool),
    DateTime(DateTime),
    Date(Date),
    Time(Time),
}

/// The ordered value of a literal, or `None` when it has no order (unknown
/// datatype, language-tagged string, ill-formed lexical form).
pub(crate) fn value_of(lit: LiteralRef<'_>) -> Option<Value<'_>> {
    let dt = lit.datatype().as_str();
    let local = dt.strip_prefix(XSD)?;
    let v = lit.value();
    if !is_well_formed(lit) {
        return None;
    }
    Some(match local {
        "string" => Value::Str(v),
        "boolean" => Value::Bool(matches!(v, "true" | "1")),
        "float" => Value::Double(Float::from(parse_double(v)? as f32).into()),
        "double" => Value::Double(parse_double(v)?.into()),
        "decimal" | "integer" | "long" | "int" | "short" | "byte" | "nonNegativeInteger"
        | "positiveInteger" | "nonPositiveInteger" | "negativeInteger" | "unsignedLong"
        | "unsignedInt" | "unsignedShort" | "unsignedByte" => match Decimal::from_str(v) {
            Ok(d) => Value::Decimal(d),
            // Beyond a decimal's 18 fraction digits or its range: as a double.
            Err(_) => Value::Double(v.parse::<f64>().ok()?.into()),
        },
        "dateTime" | "dateTimeStamp" => Value::DateTime(DateTime::from_str(v).ok()?),
        "date" => Value::Date(Date::from_str(v).ok()?),
        "time" => Value::Time(Time::from_str(v).ok()?),
        _ => return None,
    })
}

/// SPARQL-style comparison; `None` when the values are not comparable.
pub(crate) fn compare(a: &Value<'_>, b: &Value<'_>) -> Option<Ordering> {
    match (a, b) {
        (Value::Decimal(x), Value::Decimal(y)) => x.partial_cmp(y),
        (Value::Double(x), Value::Double(y)) => x.partial_cmp(y),
        (Value::Decimal(x), Value::Double(y)) => Double::from(*x).partial_cmp(y),
        (Value::Double(x), Value::Decimal(y)) => x.partial_cmp(&Double::from(*y)),
        (Value::Str(x), Value::Str(y)) => Some(x.cmp(y)),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        (Value::DateTime(x), Value::DateTime(y)) => x.partial_cmp(y),
        (Value::Date(x), Value::Date(y)) => x.partial_cmp(y),
        (Value::Time(x), Value::Time(y)) => x.partial_cmp(y),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxrdf::NamedNodeRef;

    fn lit<'a>(v: &'a str, local: &'static str) -> LiteralRef<'a> {
        let dt: &'static str = Box::leak(format!("{XSD}{local}").into_boxed_str());
        LiteralRef::new_typed_literal(v, NamedNodeRef::new_unchecked(dt))
    }

    #[test]
    fn well_formedness() {
        assert!(is_well_formed(lit("55", "integer")));
        assert!(!is_well_formed(lit("abc", "integer")));
        assert!(!is_well_formed(lit("300", "byte")));
        assert!(is_well_formed(lit("-128", "byte")));
        assert!(is_well_formed(lit("1.5", "decimal")));
        assert!(!is_well_formed(lit("1.5e3", "decimal")));
        assert!(is_well_formed(lit("1.5e3", "double")));
        assert!(is_well_formed(lit("2024-02-29", "date")));
        assert!(!is_well_formed(lit("2023-02-29", "date")));
        assert!(is_well_formed(lit("2024-05", "gYearMonth")));
        assert!(!is_well_formed(lit("2024-13", "gYearMonth")));
        assert!(is_well_formed(lit(
            "2024-05-01T10:00:00.5+02:00",
            "dateTime"
        )));
        assert!(!is_well_formed(lit("2024-05-01T25:00:00", "dateTime")));
        assert!(is_well_formed(lit("P1Y2M3DT4H5M6.5S", "duration")));
        assert!(!is_well_formed(lit("P1S", "duration")));
        assert!(!is_well_formed(lit("maybe", "boolean")));
    }

    #[test]
    fn comparisons() {
        let v = |s, t| value_of(lit(s, t)).expect("ordered");
        assert_eq!(
            compare(&v("1", "integer"), &v("1.0", "decimal")),
            Some(Ordering::Equal)
        );
        assert_eq!(
            compare(&v("0.1", "decimal"), &v("1e-1", "double")),
            Some(Ordering::Equal)
        );
        assert_eq!(
            compare(&v("a", "string"), &v("b", "string")),
            Some(Ordering::Less)
        );
        assert_eq!(compare(&v("a", "string"), &v("1", "integer")), None);
        assert_eq!(
            compare(
                &v("2020-01-01T00:00:00Z", "dateTime"),
                &v("2020-01-01T01:00:00+02:00", "dateTime")
            ),
            Some(Ordering::Greater)
        );
        assert_eq!(
            compare(&v("2020-01-01", "date"), &v("2020-01-02", "date")),
            Some(Ordering::Less)
        );
        assert_eq!(compare(&v("NaN", "double"), &v("1", "double")), None);
        // One timezone missing: only an order that holds for every zone.
        assert_eq!(
            compare(
                &v("2020-01-01T12:00:00Z", "dateTime"),
                &v("2020-01-01T12:00:00", "dateTime")
            ),
            None
        );
        assert_eq!(
            compare(
                &v("2020-01-01T12:00:00Z", "dateTime"),
                &v("2020-01-03T12:00:00", "dateTime")
            ),
            Some(Ordering::Less)
        );
        // Past a decimal's range, an integer still compares.
        assert_eq!(
            compare(
                &v("123456789012345678901234567890", "integer"),
                &v("1", "integer")
            ),
            Some(Ordering::Greater)
        );
    }
}

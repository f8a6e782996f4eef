//! XSD literals: lexical well-formedness (for `sh:datatype`) and ordered
//! values (for the range and property-pair comparisons, with SPARQL `<`
//! semantics). Everything works on borrowed lexical forms, without allocation.

use std::cmp::Ordering;

use oxrdf::LiteralRef;

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
        "decimal" => parse_decimal(v).is_some(),
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
        "dateTime" => parse_date_time(v, true, true).is_some(),
        "dateTimeStamp" => parse_date_time(v, true, true).is_some_and(|(_, tz)| tz.is_some()),
        "date" => parse_date_time(v, true, false).is_some(),
        "time" => parse_time_of_day(v).is_some(),
        "gYear" => g_type(v, true, false, false),
        "gYearMonth" => g_type(v, true, true, false),
        "gMonth" => v.strip_prefix("--").is_some_and(|r| g_rest(r, true, false)),
        "gDay" => v
            .strip_prefix("---")
            .is_some_and(|r| g_rest(r, false, true)),
        "gMonthDay" => v.strip_prefix("--").is_some_and(|r| g_rest(r, true, true)),
        "duration" => is_duration(v, true, true),
        "yearMonthDuration" => is_duration(v, true, false),
        "dayTimeDuration" => is_duration(v, false, true),
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

/// A numeric value: exact decimal (scaled by 10^18) when it fits, else `f64`.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Num {
    Exact(i128),
    Float(f64),
}

const SCALE_DIGITS: u32 = 18;
const SCALE: i128 = 1_000_000_000_000_000_000;

impl Num {
    fn to_f64(self) -> f64 {
        match self {
            #[expect(clippy::cast_precision_loss, reason = "comparison with a float")]
            Self::Exact(v) => v as f64 / SCALE as f64,
            Self::Float(f) => f,
        }
    }

    fn cmp(self, other: Self) -> Option<Ordering> {
        match (self, other) {
            (Self::Exact(a), Self::Exact(b)) => Some(a.cmp(&b)),
            _ => self.to_f64().partial_cmp(&other.to_f64()),
        }
    }
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

fn parse_decimal(v: &str) -> Option<Num> {
    let (negative, body) = match v.as_bytes().first() {
        Some(b'-') => (true, &v[1..]),
        Some(b'+') => (false, &v[1..]),
        _ => (false, v),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    if (int.is_empty() && frac.is_empty())
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let frac = frac.trim_end_matches('0');
    let exact = (|| {
        if frac.len() > SCALE_DIGITS as usize {
            return None;
        }
        let i: i128 = if int.is_empty() { 0 } else { int.parse().ok()? };
        let f: i128 = if frac.is_empty() {
            0
        } else {
            frac.parse().ok()?
        };
        let pad = 10_i128.checked_pow(SCALE_DIGITS - u32::try_from(frac.len()).ok()?)?;
        i.checked_mul(SCALE)?.checked_add(f.checked_mul(pad)?)
    })();
    Some(match exact {
        Some(x) => Num::Exact(if negative { -x } else { x }),
        None => Num::Float(v.parse().ok()?),
    })
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

fn two(s: &str) -> Option<u32> {
    (s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// Parses a timezone suffix (`Z`, `+hh:mm`, `-hh:mm`) into minutes.
fn parse_tz(s: &str) -> Option<i32> {
    if s == "Z" {
        return Some(0);
    }
    let sign = match s.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (h, m) = s[1..].split_once(':')?;
    let (h, m) = (two(h)?, two(m)?);
    if m > 59 || h > 14 || (h == 14 && m != 0) {
        return None;
    }
    Some(sign * i32::try_from(h * 60 + m).ok()?)
}

/// Splits a trailing timezone off a lexical form.
fn split_tz(v: &str) -> Option<(&str, Option<i32>)> {
    if let Some(rest) = v.strip_suffix('Z') {
        return Some((rest, Some(0)));
    }
    if v.len() > 6 && v.is_char_boundary(v.len() - 6) {
        let (head, tail) = v.split_at(v.len() - 6);
        if (tail.starts_with('+') || tail.starts_with('-')) && tail.as_bytes()[3] == b':' {
            return Some((head, Some(parse_tz(tail)?)));
        }
    }
    Some((v, None))
}

fn parse_year(s: &str) -> Option<i64> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    if digits.len() < 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if (digits.len() > 4 && digits.starts_with('0')) || digits.len() > 12 {
        return None;
    }
    s.parse().ok()
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Parses `YYYY-MM-DD`, returning days since the epoch.
fn parse_ymd(s: &str) -> Option<i64> {
    let (rest, day) = s.rsplit_once('-')?;
    let (year, month) = rest.rsplit_once('-')?;
    let (y, m, d) = (parse_year(year)?, two(month)?, two(day)?);
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

/// Parses `hh:mm:ss(.s+)?` into nanoseconds since midnight.
fn parse_hms(s: &str) -> Option<i128> {
    let mut it = s.splitn(3, ':');
    let (h, m, sec) = (two(it.next()?)?, two(it.next()?)?, it.next()?);
    let (whole, frac) = sec.split_once('.').unwrap_or((sec, ""));
    let sec = two(whole)?;
    if s.contains('.') && frac.is_empty() {
        return None;
    }
    if !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let nanos: i128 = frac
        .bytes()
        .chain(std::iter::repeat(b'0'))
        .take(9)
        .fold(0, |acc, b| acc * 10 + i128::from(b - b'0'));
    let midnight = h == 24 && m == 0 && sec == 0 && nanos == 0;
    if (h > 23 && !midnight) || m > 59 || sec > 59 {
        return None;
    }
    Some(i128::from(h * 3600 + m * 60 + sec) * 1_000_000_000 + nanos)
}

/// Parses a date or dateTime into (nanoseconds since the epoch, local time),
/// and its timezone in minutes.
fn parse_date_time(v: &str, date: bool, time: bool) -> Option<(i128, Option<i32>)> {
    let (body, tz) = split_tz(v)?;
    let nanos = match (date, time) {
        (true, true) => {
            let (d, t) = body.split_once('T')?;
            i128::from(parse_ymd(d)?) * 86_400_000_000_000 + parse_hms(t)?
        }
        _ => i128::from(parse_ymd(body)?) * 86_400_000_000_000,
    };
    Some((nanos, tz))
}

fn parse_time_of_day(v: &str) -> Option<(i128, Option<i32>)> {
    let (body, tz) = split_tz(v)?;
    Some((parse_hms(body)?, tz))
}

fn g_type(v: &str, year: bool, month: bool, _day: bool) -> bool {
    let Some((body, _)) = split_tz(v) else {
        return false;
    };
    if year && month {
        return body.rsplit_once('-').is_some_and(|(y, m)| {
            parse_year(y).is_some() && two(m).is_some_and(|m| (1..=12).contains(&m))
        });
    }
    parse_year(body).is_some()
}

fn g_rest(v: &str, month: bool, day: bool) -> bool {
    let Some((body, _)) = split_tz(v) else {
        return false;
    };
    match (month, day) {
        (true, true) => body.split_once('-').is_some_and(|(m, d)| {
            two(m).is_some_and(|m| (1..=12).contains(&m))
                && two(d).is_some_and(|d| d >= 1 && d <= days_in_month(2000, two(m).unwrap_or(1)))
        }),
        (true, false) => two(body).is_some_and(|m| (1..=12).contains(&m)),
        _ => two(body).is_some_and(|d| (1..=31).contains(&d)),
    }
}

fn is_duration(v: &str, ym: bool, dt: bool) -> bool {
    let body = v.strip_prefix('-').unwrap_or(v);
    let Some(body) = body.strip_prefix('P') else {
        return false;
    };
    let (date, time) = match body.split_once('T') {
        Some((d, t)) => {
            if t.is_empty() {
                return false;
            }
            (d, Some(t))
        }
        None => (body, None),
    };
    if date.is_empty() && time.is_none() {
        return false;
    }
    let units = |s: &str, allowed: &[char], last_frac: bool| -> Option<Vec<char>> {
        let mut seen = Vec::new();
        let mut num = String::new();
        for c in s.chars() {
            if c.is_ascii_digit() || (c == '.' && last_frac) {
                num.push(c);
            } else {
                let pos = allowed.iter().position(|a| *a == c)?;
                if num.is_empty() || num.ends_with('.') || num.starts_with('.') {
                    return None;
                }
                if num.contains('.') && c != 'S' {
                    return None;
                }
                if seen
                    .last()
                    .is_some_and(|l| allowed.iter().position(|a| a == l) >= Some(pos))
                {
                    return None;
                }
                seen.push(c);
                num.clear();
            }
        }
        num.is_empty().then_some(seen)
    };
    let Some(date_units) = units(date, &['Y', 'M', 'D'], false) else {
        return false;
    };
    let time_units = match time {
        Some(t) => match units(t, &['H', 'M', 'S'], true) {
            Some(u) if !u.is_empty() => u,
            _ => return false,
        },
        None => Vec::new(),
    };
    let has_ym = date_units.iter().any(|c| *c == 'Y' || *c == 'M');
    let has_dt = date_units.contains(&'D') || !time_units.is_empty();
    (ym || !has_ym) && (dt || !has_dt)
}

/// A literal's value, for ordering comparisons.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Value<'a> {
    Num(Num),
    Str(&'a str),
    Bool(bool),
    /// A point in time (nanoseconds, local), its kind and timezone.
    Time(TimeKind, i128, Option<i32>),
}

/// The kinds of time values that compare with each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimeKind {
    DateTime,
    Date,
    Time,
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
        "float" | "double" => Value::Num(Num::Float(parse_double(v)?)),
        "decimal" | "integer" | "long" | "int" | "short" | "byte" | "nonNegativeInteger"
        | "positiveInteger" | "nonPositiveInteger" | "negativeInteger" | "unsignedLong"
        | "unsignedInt" | "unsignedShort" | "unsignedByte" => Value::Num(parse_decimal(v)?),
        "dateTime" | "dateTimeStamp" => {
            let (n, tz) = parse_date_time(v, true, true)?;
            Value::Time(TimeKind::DateTime, n, tz)
        }
        "date" => {
            let (n, tz) = parse_date_time(v, true, false)?;
            Value::Time(TimeKind::Date, n, tz)
        }
        "time" => {
            let (n, tz) = parse_time_of_day(v)?;
            Value::Time(TimeKind::Time, n, tz)
        }
        _ => return None,
    })
}

const MINUTE: i128 = 60_000_000_000;

/// SPARQL-style comparison; `None` when the values are not comparable.
pub(crate) fn compare(a: &Value<'_>, b: &Value<'_>) -> Option<Ordering> {
    match (a, b) {
        (Value::Num(x), Value::Num(y)) => x.cmp(*y),
        (Value::Str(x), Value::Str(y)) => Some(x.cmp(y)),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        (Value::Time(k1, n1, tz1), Value::Time(k2, n2, tz2)) if k1 == k2 => {
            let utc = |n: i128, tz: i32| n - i128::from(tz) * MINUTE;
            match (tz1, tz2) {
                (Some(t1), Some(t2)) => Some(utc(*n1, *t1).cmp(&utc(*n2, *t2))),
                (None, None) => Some(n1.cmp(n2)),
                // One timezone missing: determinate only if both extremes agree.
                (Some(t1), None) => {
                    let a = utc(*n1, *t1);
                    let lo = a.cmp(&utc(*n2, 14 * 60));
                    let hi = a.cmp(&utc(*n2, -14 * 60));
                    (lo == hi).then_some(lo)
                }
                (None, Some(t2)) => {
                    let b = utc(*n2, *t2);
                    let lo = utc(*n1, 14 * 60).cmp(&b);
                    let hi = utc(*n1, -14 * 60).cmp(&b);
                    (lo == hi).then_some(lo)
                }
            }
        }
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
    }
}

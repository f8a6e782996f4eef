//! Values for people: dates in French, booleans in words, numbers as
//! written, and the small escapes the pages need outside askama's own
//! (URL components, JSON inside a `<script>`).

use oxrdf::Literal;
use oxrdf::vocab::xsd;

const MONTHS: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

/// A literal as a French reader expects it: `2026-09-14` → "14 septembre
/// 2026", `2022-09` → "septembre 2022", `true` → "oui"; anything else as
/// written.
pub(crate) fn literal(l: &Literal) -> String {
    let v = l.value();
    let dt = l.datatype();
    if dt == xsd::DATE {
        if let [y, m, d] = v.splitn(3, '-').collect::<Vec<_>>()[..]
            && let (Ok(m), Ok(d)) = (m.parse::<usize>(), d.get(..2).unwrap_or(d).parse::<u32>())
            && (1..=12).contains(&m)
        {
            let day = if d == 1 {
                "1er".to_owned()
            } else {
                d.to_string()
            };
            return format!("{day} {} {y}", MONTHS[m - 1]);
        }
    } else if dt == xsd::G_YEAR_MONTH {
        if let Some((y, m)) = v.split_once('-')
            && let Ok(m) = m.get(..2).unwrap_or(m).parse::<usize>()
            && (1..=12).contains(&m)
        {
            return format!("{} {y}", MONTHS[m - 1]);
        }
    } else if dt == xsd::BOOLEAN {
        return if v == "true" || v == "1" {
            "oui"
        } else {
            "non"
        }
        .to_owned();
    } else if dt == xsd::DATE_TIME {
        return v.replace('T', " à ").chars().take(19).collect();
    }
    v.to_owned()
}

/// The first letter in upper case ("thème" → "Thème").
pub(crate) fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Percent-encodes a URL component (query values, `mailto:` fields).
pub(crate) fn percent(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// JSON made safe to embed in a `<script>` element: `<`, `>` and `&`,
/// which JSON only has inside strings, become `\u` escapes, so no value
/// can close the element.
pub(crate) fn script_json(value: &serde_json::Value) -> String {
    value
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_in_french() {
        let d = Literal::new_typed_literal("2026-09-01", xsd::DATE);
        assert_eq!(literal(&d), "1er septembre 2026");
        let m = Literal::new_typed_literal("2022-09", xsd::G_YEAR_MONTH);
        assert_eq!(literal(&m), "septembre 2022");
        let b = Literal::new_typed_literal("false", xsd::BOOLEAN);
        assert_eq!(literal(&b), "non");
    }

    #[test]
    fn script_json_cannot_close_the_script() {
        let v = serde_json::json!({"name": "</script><b>&"});
        let s = script_json(&v);
        assert!(!s.contains("</script>") && !s.contains('<') && !s.contains('&'));
        let back: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back, v);
    }
}

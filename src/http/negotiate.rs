//! Content negotiation: picks one of the representations a handler offers
//! from the request's `Accept` header (q-values, wildcards, specificity) or
//! from an explicit `format=` parameter, which wins over `Accept` so that a
//! link or a browser can ask for a given format.
//!
//! `format=` takes a media type or one of the names SPARQL clients and other
//! endpoints use (`ttl`, `turtle`, `json-ld`, `rdfxml`…). A request may give
//! several values (SPARQLWrapper sends `format`, `output` and `results`,
//! some of them twice: a short name, then a media type): the first value
//! that names an offered format wins.
//!
//! The rules follow RFC 9110 §12.5.1: each offered media type takes the
//! quality of the most specific range that matches it (`type/subtype` over
//! `type/*` over `*/*`); a quality of 0 means "not acceptable"; the offer
//! with the highest quality wins and ties go to the server's order. No
//! `Accept` header accepts anything. An `Accept` header that nothing matches
//! is a 406.

use super::{HttpError, Message};

/// A representation a handler can produce: its media type and the names
/// `format=` accepts for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Offer<T> {
    /// What the handler does with the choice.
    pub(crate) value: T,
    /// Media type, lowercase, without parameters (`text/turtle`).
    pub(crate) media_type: &'static str,
    /// Other media types meaning the same (`application/json` for SPARQL JSON).
    pub(crate) aliases: &'static [&'static str],
    /// Names `format=` accepts besides the media types, lowercase; the
    /// first one is the short name used in links and messages (`ttl`).
    pub(crate) names: &'static [&'static str],
}

impl<T> Offer<T> {
    /// Whether `name` (lowercase) names this offer.
    fn is_named(&self, name: &str) -> bool {
        self.media_type == name || self.aliases.contains(&name) || self.names.contains(&name)
    }

    /// The short name (`ttl`).
    pub(crate) fn short(&self) -> &'static str {
        self.names.first().copied().unwrap_or(self.media_type)
    }
}

/// Chooses among `offers` (in the server's order of preference): the first
/// of the `format` values that names an offer (a name or a media type, with
/// or without parameters), else the best match of `accept`. Empty `format`
/// values are ignored; values that name no offer are a 406.
pub(crate) fn choose<T: Copy>(
    accept: Option<&str>,
    format: &[String],
    offers: &[Offer<T>],
) -> Result<T, HttpError> {
    let given: Vec<&str> = format
        .iter()
        .map(|f| f.trim())
        .filter(|f| !f.is_empty())
        .collect();
    if !given.is_empty() {
        return given
            .iter()
            .find_map(|f| {
                let name = f.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
                offers.iter().find(|o| o.is_named(&name))
            })
            .map(|o| o.value)
            .ok_or_else(|| {
                let asked = given.join(" », « ");
                let names = list(offers, Offer::short);
                HttpError::NotAcceptable(Message::new(
                    format!("format « {asked} » non disponible pour cette requête ; formats possibles : {names}"),
                    format!("format “{asked}” is not available for this request; available formats: {names}"),
                ))
            });
    }
    let Some(accept) = accept.filter(|a| !a.trim().is_empty()) else {
        return offers.first().map(|o| o.value).ok_or_else(|| {
            HttpError::NotAcceptable(Message::new(
                "aucun format disponible",
                "no format available",
            ))
        });
    };
    let ranges = parse_accept(accept);
    let mut best: Option<(u16, &Offer<T>)> = None;
    for offer in offers {
        let q = std::iter::once(offer.media_type)
            .chain(offer.aliases.iter().copied())
            .filter_map(|mt| quality(&ranges, mt))
            .max_by_key(|(specificity, _)| *specificity)
            .map_or(0, |(_, q)| q);
        if q > 0 && best.is_none_or(|(bq, _)| q > bq) {
            best = Some((q, offer));
        }
    }
    best.map(|(_, o)| o.value).ok_or_else(|| {
        let types = list(offers, |o| o.media_type);
        HttpError::NotAcceptable(Message::new(
            format!("aucun des formats demandés (Accept: {accept}) n'est disponible ; formats possibles : {types}"),
            format!("none of the requested formats (Accept: {accept}) is available; available formats: {types}"),
        ))
    })
}

fn list<T>(offers: &[Offer<T>], f: impl Fn(&Offer<T>) -> &'static str) -> String {
    offers.iter().map(f).collect::<Vec<_>>().join(", ")
}

/// One media range of an `Accept` header.
#[derive(Debug, Clone, PartialEq, Eq)]
struct MediaRange {
    main: String,
    sub: String,
    /// Quality in thousandths (0..=1000).
    q: u16,
}

impl MediaRange {
    /// 2 for `type/subtype`, 1 for `type/*`, 0 for `*/*`; `None` when it does
    /// not match `media_type`.
    fn specificity(&self, media_type: &str) -> Option<u8> {
        let (main, sub) = media_type.split_once('/')?;
        match (self.main.as_str(), self.sub.as_str()) {
            ("*", "*") => Some(0),
            (m, "*") if m == main => Some(1),
            (m, s) if m == main && s == sub => Some(2),
            _ => None,
        }
    }
}

/// Parses an `Accept` header leniently: malformed ranges are skipped,
/// malformed q-values count as 1.
fn parse_accept(header: &str) -> Vec<MediaRange> {
    header
        .split(',')
        .filter_map(|item| {
            let mut parts = item.split(';');
            let media = parts.next()?.trim().to_ascii_lowercase();
            let (main, sub) = media.split_once('/')?;
            if main.is_empty() || sub.is_empty() || (main == "*" && sub != "*") {
                return None;
            }
            let mut q = 1000;
            for param in parts {
                if let Some((k, v)) = param.split_once('=')
                    && k.trim().eq_ignore_ascii_case("q")
                {
                    q = parse_q(v.trim()).unwrap_or(1000);
                }
            }
            Some(MediaRange {
                main: main.to_owned(),
                sub: sub.to_owned(),
                q,
            })
        })
        .collect()
}

/// `0`, `0.5`, `1.000` → thousandths.
fn parse_q(v: &str) -> Option<u16> {
    let f: f32 = v.parse().ok()?;
    (0.0..=1.0)
        .contains(&f)
        .then(|| (f * 1000.0).round() as u16)
}

/// The specificity and quality of the most specific range matching
/// `media_type` (an offer takes the most specific match over all its names,
/// so `application/sparql-results+json;q=0` beats `*/*` on its alias).
fn quality(ranges: &[MediaRange], media_type: &str) -> Option<(u8, u16)> {
    ranges
        .iter()
        .filter_map(|r| r.specificity(media_type).map(|s| (s, r.q)))
        .max_by_key(|(s, _)| *s)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OFFERS: &[Offer<&str>] = &[
        Offer {
            value: "json",
            media_type: "application/sparql-results+json",
            aliases: &["application/json"],
            names: &["json"],
        },
        Offer {
            value: "xml",
            media_type: "application/sparql-results+xml",
            aliases: &["application/xml"],
            names: &["xml"],
        },
        Offer {
            value: "csv",
            media_type: "text/csv",
            aliases: &[],
            names: &["csv"],
        },
        Offer {
            value: "tsv",
            media_type: "text/tab-separated-values",
            aliases: &[],
            names: &["tsv"],
        },
    ];

    fn pick(accept: Option<&str>, format: Option<&str>) -> Result<&'static str, u16> {
        let format: Vec<String> = format.into_iter().map(str::to_owned).collect();
        choose(accept, &format, OFFERS).map_err(|e| e.status().as_u16())
    }

    #[test]
    fn negotiation_table() {
        type Case<'a> = (
            Option<&'a str>,
            Option<&'a str>,
            Result<&'a str, u16>,
            &'a str,
        );
        let cases: &[Case<'_>] = &[
            (
                None,
                None,
                Ok("json"),
                "no Accept: the server's first choice",
            ),
            (Some(""), None, Ok("json"), "empty Accept counts as absent"),
            (
                Some("*/*"),
                None,
                Ok("json"),
                "full wildcard: the server's first choice",
            ),
            (Some("text/csv"), None, Ok("csv"), "exact type"),
            (
                Some("TEXT/CSV"),
                None,
                Ok("csv"),
                "media types are case-insensitive",
            ),
            (Some("application/json"), None, Ok("json"), "alias"),
            (Some("application/xml"), None, Ok("xml"), "alias of XML"),
            (
                Some("text/*"),
                None,
                Ok("csv"),
                "subtype wildcard: first text/* offer",
            ),
            (
                Some("text/csv;q=0.5, text/tab-separated-values"),
                None,
                Ok("tsv"),
                "q-values",
            ),
            (
                Some("text/csv;q=0.9, application/sparql-results+xml;q=0.91"),
                None,
                Ok("xml"),
                "fine q-values",
            ),
            (
                Some("text/*;q=0.2, text/tab-separated-values;q=0.8, */*;q=0.1"),
                None,
                Ok("tsv"),
                "specificity beats order",
            ),
            (
                Some("text/*, text/csv;q=0"),
                None,
                Ok("tsv"),
                "a more specific q=0 excludes a type",
            ),
            (
                Some("*/*;q=0.1, application/sparql-results+json;q=0"),
                None,
                Ok("xml"),
                "json refused, wildcard gives the next",
            ),
            (
                Some("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
                None,
                Ok("xml"),
                "a browser",
            ),
            (
                Some("text/csv;charset=utf-8;q=0.7, */*;q=0.5"),
                None,
                Ok("csv"),
                "parameters before q",
            ),
            (
                Some("text/csv;q=abc"),
                None,
                Ok("csv"),
                "malformed q counts as 1",
            ),
            (
                Some("garbage, text/tab-separated-values"),
                None,
                Ok("tsv"),
                "malformed ranges are skipped",
            ),
            (Some("image/png"), None, Err(406), "nothing acceptable"),
            (Some("text/csv;q=0"), None, Err(406), "only a refused type"),
            (
                Some("text/turtle"),
                Some("csv"),
                Ok("csv"),
                "format= wins over Accept",
            ),
            (None, Some("TSV"), Ok("tsv"), "format= is case-insensitive"),
            (
                None,
                Some("application/sparql-results+xml"),
                Ok("xml"),
                "format= takes a media type",
            ),
            (None, Some("ttl"), Err(406), "format= not offered here"),
        ];
        for (accept, format, expected, why) in cases {
            assert_eq!(
                pick(*accept, *format),
                *expected,
                "{why}: Accept {accept:?}, format {format:?}"
            );
        }
    }

    #[test]
    fn several_format_values_take_the_first_known() {
        let f = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let first = |v: &[&str]| choose(None, &f(v), OFFERS).map_err(|e| e.status().as_u16());
        // SPARQLWrapper: a short name then a media type, under three keys.
        assert_eq!(
            first(&["tsv", "text/tab-separated-values", "tsv"]),
            Ok("tsv")
        );
        assert_eq!(
            first(&["rdf+xml", "application/sparql-results+xml"]),
            Ok("xml")
        );
        assert_eq!(first(&["", "csv"]), Ok("csv"), "empty values are ignored");
        assert_eq!(
            first(&["text/csv; charset=utf-8"]),
            Ok("csv"),
            "media type parameters are ignored"
        );
        assert_eq!(first(&["ttl", "turtle"]), Err(406), "none offered");
        let e = choose(None, &f(&["ttl"]), OFFERS).expect_err("406");
        assert!(e.message().fr.contains("json, xml, csv, tsv"), "{e}");
        assert!(e.message().en.contains("available formats"), "{e}");
    }

    #[test]
    fn q_values_parse() {
        assert_eq!(parse_q("0"), Some(0));
        assert_eq!(parse_q("0.333"), Some(333));
        assert_eq!(parse_q("1.0"), Some(1000));
        assert_eq!(parse_q("2"), None);
        assert_eq!(parse_q("-1"), None);
    }
}

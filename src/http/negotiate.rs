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
        let q = offer_quality(&ranges, offer);
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

/// The offers [`check_for_fuzzing`] chooses among: those of `/id/`
/// and of the SPARQL endpoint's graphs, mixed so that two offers share an
/// alias (`application/json`, `application/xml`) and a name is another
/// offer's alias.
const FUZZ_OFFERS: &[Offer<&str>] = &[
    Offer {
        value: "text/turtle",
        media_type: "text/turtle",
        aliases: &["application/x-turtle", "text/n3"],
        names: &["ttl", "turtle", "n3"],
    },
    Offer {
        value: "text/html",
        media_type: "text/html",
        aliases: &["application/xhtml+xml"],
        names: &["html"],
    },
    Offer {
        value: "application/sparql-results+json",
        media_type: "application/sparql-results+json",
        aliases: &["application/json"],
        names: &["json", "srj"],
    },
    Offer {
        value: "application/ld+json",
        media_type: "application/ld+json",
        aliases: &["application/json"],
        names: &["jsonld", "json-ld", "json"],
    },
    Offer {
        value: "application/rdf+xml",
        media_type: "application/rdf+xml",
        aliases: &["application/xml", "text/xml"],
        names: &["rdf", "xml", "application/xml"],
    },
    Offer {
        value: "text/csv",
        media_type: "text/csv",
        aliases: &[],
        names: &["csv"],
    },
];

/// Checks the properties of [`choose`] over [`FUZZ_OFFERS`], for
/// [`crate::fuzzing::accept`] (the fuzz target and the property tests
/// below): a `format=` value that names an offer wins, and only such a value
/// (none: a 406); without one, no preference gives the server's first
/// offer, and otherwise the first of the offers with the highest positive
/// quality wins, a 406 when every quality is 0. Every range parsed is well
/// formed. Panics when a property does not hold.
pub(crate) fn check_for_fuzzing(accept: Option<&str>, format: &[String]) {
    let chosen = choose(accept, format, FUZZ_OFFERS).map_err(|e| e.status().as_u16());
    let offered = |mt: &str| FUZZ_OFFERS.iter().any(|o| o.value == mt);
    match chosen {
        Ok(mt) => assert!(offered(mt), "{accept:?} {format:?}: {mt} is not offered"),
        Err(status) => assert_eq!(status, 406, "{accept:?} {format:?}"),
    }
    let names: Vec<String> = format
        .iter()
        .map(|f| {
            f.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .filter(|f| !f.is_empty())
        .collect();
    if format.iter().any(|f| !f.trim().is_empty()) {
        let named = names
            .iter()
            .find_map(|n| FUZZ_OFFERS.iter().find(|o| o.is_named(n)))
            .map(|o| o.value);
        assert_eq!(chosen, named.ok_or(406), "{accept:?} {format:?}");
        return;
    }
    let Some(header) = accept.filter(|h| !h.trim().is_empty()) else {
        assert_eq!(
            chosen,
            Ok(FUZZ_OFFERS[0].value),
            "no preference: {accept:?}"
        );
        return;
    };
    let ranges = parse_accept(header);
    for r in &ranges {
        assert!(r.q <= 1000, "{header:?}: {r:?}");
        assert!(!r.main.is_empty() && !r.sub.is_empty(), "{header:?}: {r:?}");
        assert!(r.main != "*" || r.sub == "*", "{header:?}: {r:?}");
        assert_eq!(r.main, r.main.to_ascii_lowercase(), "{header:?}");
    }
    let qualities: Vec<u16> = FUZZ_OFFERS
        .iter()
        .map(|o| offer_quality(&ranges, o))
        .collect();
    let best = qualities.iter().copied().max().unwrap_or(0);
    let expected = qualities
        .iter()
        .position(|q| *q == best && best > 0)
        .map(|i| FUZZ_OFFERS[i].value);
    assert_eq!(
        chosen,
        expected.ok_or(406),
        "{header:?}: qualities {qualities:?}"
    );
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

/// `0`, `0.5`, `1.000` → thousandths. A positive quality stays positive
/// (`0.0004` is 1, not 0, which would refuse the type).
fn parse_q(v: &str) -> Option<u16> {
    let f: f32 = v.parse().ok()?;
    (0.0..=1.0).contains(&f).then(|| {
        let thousandths = (f * 1000.0).round() as u16;
        if f > 0.0 {
            thousandths.max(1)
        } else {
            thousandths
        }
    })
}

/// The quality of an offer: that of the most specific range matching one
/// of its media types (0 when none does).
fn offer_quality<T>(ranges: &[MediaRange], offer: &Offer<T>) -> u16 {
    std::iter::once(offer.media_type)
        .chain(offer.aliases.iter().copied())
        .filter_map(|mt| quality(ranges, mt))
        .max_by_key(|(specificity, _)| *specificity)
        .map_or(0, |(_, q)| q)
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
    use proptest::collection::vec;
    use proptest::prelude::*;
    use proptest::{option, sample::select};

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
        assert_eq!(parse_q("1.0000001"), None, "above 1: malformed");
        assert_eq!(
            pick(
                Some("text/csv;q=1.0000001, text/tab-separated-values;q=0.9"),
                None
            ),
            Ok("csv"),
            "a malformed q-value counts as 1"
        );
        assert_eq!(parse_q("NaN"), None);
        assert_eq!(parse_q("inf"), None);
    }

    /// Found by the property below: `q=0.0004` rounded to 0 thousandths,
    /// and a type the client accepts, however little, was refused (406).
    #[test]
    fn a_tiny_positive_q_value_still_accepts() {
        assert_eq!(parse_q("0.0004"), Some(1));
        assert_eq!(pick(Some("text/csv;q=0.0004"), None), Ok("csv"));
        assert_eq!(pick(Some("text/csv;q=0.0000"), None), Err(406));
    }

    /// Pieces of `Accept` headers, well and badly formed.
    const RANGES: &[&str] = &[
        "text/turtle",
        "text/html",
        "text/csv",
        "*/*",
        "text/*",
        "application/*",
        "application/json",
        "application/xml",
        "APPLICATION/LD+JSON",
        "application/sparql-results+json",
        "image/png",
        "*/html",
        "text",
        "/",
        "",
        " ",
        "text/",
        "/csv",
        "text/csv/x",
        "é/ü",
        "\u{0}",
        "\"",
    ];
    const PARAMS: &[&str] = &[
        ";q=0",
        ";q=1",
        ";q=0.5",
        ";q=0.001",
        ";q=0.0004",
        ";q=1.0000001",
        ";q=1.001",
        ";q=-1",
        ";q=-0",
        ";q=NaN",
        ";q=inf",
        ";q=1e-3",
        ";q=",
        ";q",
        ";Q=0.3",
        "; q = 0.2 ",
        ";charset=utf-8",
        ";;",
        ";=",
        ";q=0.9;q=0",
    ];
    const SEPARATORS: &[&str] = &[",", ", ", ",,", " , ", ""];
    const FORMATS: &[&str] = &[
        "",
        " ",
        "ttl",
        "TTL",
        "json",
        "xml",
        "text/csv; charset=utf-8",
        "application/xml",
        "nope",
        ";",
        "é",
    ];

    /// An `Accept` header: ranges, each with a few parameters, separated
    /// well or badly.
    fn header() -> impl Strategy<Value = String> {
        let range = (
            select(RANGES),
            vec(select(PARAMS), 0..3),
            select(SEPARATORS),
        )
            .prop_map(|(r, params, sep)| format!("{r}{}{sep}", params.concat()));
        vec(range, 0..8).prop_map(|ranges| ranges.concat())
    }

    proptest! {
        #![proptest_config(crate::fuzzing::proptest_config())]

        #[test]
        fn any_accept_header_gives_the_best_offer_or_a_406(
            header in option::weighted(0.9, header()),
            format in vec(select(FORMATS).prop_map(str::to_owned), 0..3),
        ) {
            check_for_fuzzing(header.as_deref(), &format);
            check_for_fuzzing(header.as_deref(), &[]);
        }

        /// A type the client accepts with a positive quality, however
        /// small, is never refused; one it gives 0 is; a value that is no
        /// quality counts as 1.
        #[test]
        fn a_positive_q_value_accepts_and_zero_refuses(
            sign in select(&["", "", "-", "+"][..]),
            units in select(&["0", "0", "1", "00"][..]),
            decimals in vec(select(&["0", "0", "0", "1", "5", "9"][..]), 0..8),
        ) {
            let q = format!("{sign}{units}.{}", decimals.concat());
            let header = format!("text/csv;q={q}");
            let chosen = choose(Some(&header), &[], FUZZ_OFFERS).map_err(|e| e.status().as_u16());
            let zero = q.parse::<f32>().is_ok_and(|f| f == 0.0);
            prop_assert_eq!(chosen, if zero { Err(406) } else { Ok("text/csv") }, "{}", header);
        }

        /// The fuzz target itself, on arbitrary bytes.
        #[test]
        fn arbitrary_bytes_as_accept_and_format(bytes in vec(any::<u8>(), 0..96)) {
            crate::fuzzing::accept(&bytes);
        }
    }

    #[test]
    fn a_huge_number_of_ranges() {
        let refused = "text/turtle;q=0, text/html;q=0, ".repeat(50_000);
        check_for_fuzzing(Some(&refused), &[]);
        let header = format!("{refused}text/csv;q=0.001");
        check_for_fuzzing(Some(&header), &[]);
        assert_eq!(
            choose(Some(&header), &[], FUZZ_OFFERS).map_err(|e| e.status().as_u16()),
            Ok("text/csv")
        );
        let commas = ",".repeat(200_000);
        assert_eq!(
            choose(Some(&commas), &[], FUZZ_OFFERS).map_err(|e| e.status().as_u16()),
            Err(406),
            "no range at all"
        );
    }
}

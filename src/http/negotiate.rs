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

/// The offers [`crate::fuzzing::accept`] chooses among: those of `/id/`
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

/// [`choose`] over [`FUZZ_OFFERS`], for [`crate::fuzzing::accept`]: the
/// media type chosen, or the error's status.
pub(crate) fn negotiate_for_fuzzing(
    accept: Option<&str>,
    format: &[String],
) -> Result<&'static str, u16> {
    choose(accept, format, FUZZ_OFFERS).map_err(|e| e.status().as_u16())
}

/// The media types of [`FUZZ_OFFERS`], in the server's order.
pub(crate) fn offers_for_fuzzing() -> Vec<&'static str> {
    FUZZ_OFFERS.iter().map(|o| o.media_type).collect()
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

    fn random_header(rng: &mut crate::fuzzing::Rng) -> String {
        let mut h = String::new();
        for _ in 0..rng.below(8) {
            h.push_str(rng.piece(RANGES));
            for _ in 0..rng.below(3) {
                h.push_str(rng.piece(PARAMS));
            }
            h.push_str(rng.piece(SEPARATORS));
        }
        h
    }

    /// What `choose` must give: the first of the offers with the highest
    /// positive quality, or a 406.
    fn check_choice(header: Option<&str>, format: &[String]) {
        let chosen = negotiate_for_fuzzing(header, format);
        let offers = offers_for_fuzzing();
        match chosen {
            Ok(mt) => assert!(offers.contains(&mt), "{header:?} {format:?}: {mt}"),
            Err(status) => assert_eq!(status, 406, "{header:?} {format:?}"),
        }
        if format.iter().any(|f| !f.trim().is_empty()) {
            return;
        }
        let Some(h) = header.filter(|h| !h.trim().is_empty()) else {
            assert_eq!(chosen, Ok(offers[0]), "no preference: {header:?}");
            return;
        };
        let ranges = parse_accept(h);
        for r in &ranges {
            assert!(r.q <= 1000, "{h:?}: {r:?}");
            assert!(!r.main.is_empty() && !r.sub.is_empty(), "{h:?}: {r:?}");
            assert!(r.main != "*" || r.sub == "*", "{h:?}: {r:?}");
            assert_eq!(r.main, r.main.to_ascii_lowercase(), "{h:?}");
        }
        let qualities: Vec<u16> = FUZZ_OFFERS
            .iter()
            .map(|o| offer_quality(&ranges, o))
            .collect();
        let best = qualities.iter().copied().max().unwrap_or(0);
        let expected = if best == 0 {
            Err(406)
        } else {
            Ok(FUZZ_OFFERS[qualities.iter().position(|q| *q == best).unwrap_or(0)].value)
        };
        assert_eq!(chosen, expected, "{h:?}: qualities {qualities:?}");
    }

    #[test]
    fn any_accept_header_gives_an_offer_or_a_406() {
        let mut rng = crate::fuzzing::Rng::new(0xacce);
        for _ in 0..crate::fuzzing::CASES {
            let header = random_header(&mut rng);
            let format: Vec<String> = (0..rng.below(3))
                .map(|_| (*rng.pick(FORMATS)).to_owned())
                .collect();
            let header = (!rng.one_in(10)).then_some(header.as_str());
            check_choice(header, &format);
            check_choice(header, &[]);
        }
    }

    /// A type the client accepts with a positive quality, however small,
    /// is never refused; one it gives 0 is.
    #[test]
    fn a_positive_q_value_accepts_and_zero_refuses() {
        let mut rng = crate::fuzzing::Rng::new(0x9001);
        for _ in 0..crate::fuzzing::CASES {
            let q = format!(
                "{}{}.{}",
                rng.piece(&["", "", "-", "+"]),
                rng.piece(&["0", "0", "1", "00"]),
                rng.text(&["0", "0", "0", "1", "5", "9"], 7)
            );
            let header = format!("text/csv;q={q}");
            let chosen = negotiate_for_fuzzing(Some(&header), &[]);
            // A value that is no quality counts as 1.
            let zero = q.parse::<f32>().is_ok_and(|f| f == 0.0);
            let expected = if zero { Err(406) } else { Ok("text/csv") };
            assert_eq!(chosen, expected, "{header}");
        }
    }

    #[test]
    fn arbitrary_bytes_as_accept_header() {
        let mut rng = crate::fuzzing::Rng::new(0xb17e);
        for _ in 0..crate::fuzzing::CASES {
            let bytes = rng.bytes(64);
            check_choice(Some(&String::from_utf8_lossy(&bytes)), &[]);
        }
    }

    #[test]
    fn a_huge_number_of_ranges() {
        let refused = "text/turtle;q=0, text/html;q=0, ".repeat(50_000);
        check_choice(Some(&refused), &[]);
        assert_eq!(
            negotiate_for_fuzzing(Some(&format!("{refused}text/csv;q=0.001")), &[]),
            Ok("text/csv")
        );
        let commas = ",".repeat(200_000);
        assert_eq!(
            negotiate_for_fuzzing(Some(&commas), &[]),
            Err(406),
            "no range at all"
        );
    }
}

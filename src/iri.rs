//! Identifiers: the base IRI, slugs, the record graph of a subject, and the
//! `/id` ↔ `/page` ↔ `/data` mapping of DESIGN.md.

use oxrdf::{NamedNode, NamedNodeRef};
use unicode_normalization::UnicodeNormalization;

/// The kinds of things that have an `/id/{kind}/{slug}` IRI.
pub const KINDS: &[&str] = &[
    "projet",
    "organisation",
    "solution",
    "ressource",
    "territoire",
    "concept",
    "jeu",
];

/// The data documents of a thing, `/data/{kind}/{slug}.{suffix}`: (name,
/// media type, suffix), Turtle first.
pub const DOCUMENTS: [(&str, &str, &str); 4] = [
    ("Turtle", "text/turtle", "ttl"),
    ("N-Triples", "application/n-triples", "nt"),
    ("JSON-LD", "application/ld+json", "jsonld"),
    ("RDF/XML", "application/rdf+xml", "rdf"),
];

/// The deployment's base IRI (always ends with `/`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseIri(String);

/// A base IRI that is not an absolute http(s) IRI, or that has a query or
/// a fragment.
#[derive(Debug, thiserror::Error)]
#[error(
    "IRI de base invalide « {0} » : attendu une adresse http(s) absolue, avec un hôte, sans « ? » ni « # », par exemple http://localhost:8080/"
)]
pub struct BaseIriError(String);

impl BaseIri {
    /// Checks and normalises a base IRI (a trailing `/` is added when
    /// missing). A base without a host is refused (`http://` would mint
    /// `http://id/…`, on a host named `id`), and so is a query or a
    /// fragment: every IRI minted under the base would be one document's
    /// (`http://h/#/id/…`), and its pages' paths would be no paths
    /// (`/?q/page/…`).
    pub fn parse(raw: &str) -> Result<Self, BaseIriError> {
        let mut s = raw.trim().to_owned();
        let authority = s
            .split_once("://")
            .map_or("", |(_, rest)| rest.split('/').next().unwrap_or(rest));
        if !(s.starts_with("http://") || s.starts_with("https://"))
            || authority.is_empty()
            || s.contains(['?', '#'])
            || oxrdf::NamedNode::new(&s).is_err()
        {
            return Err(BaseIriError(raw.to_owned()));
        }
        if !s.ends_with('/') {
            s.push('/');
        }
        Ok(Self(s))
    }

    /// The IRI as a string, ending with `/`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Resolves a path relative to the base (`id/projet/x` or `/id/projet/x`).
    pub fn join(&self, path: &str) -> NamedNode {
        NamedNode::new_unchecked(format!("{}{}", self.0, path.trim_start_matches('/')))
    }

    /// The path of an IRI below this base (without the leading `/`), if any.
    pub fn relative<'a>(&self, iri: &'a str) -> Option<&'a str> {
        iri.strip_prefix(self.0.as_str())
    }

    /// The record graph a subject belongs to: `/id/{kind}/{slug}` for things
    /// under `/id/` (fragments stripped), the scheme for concepts
    /// (`/id/concept/{scheme}`), the ontology for the vocabulary namespace.
    /// `None` for anything else.
    pub fn record_of(&self, subject: NamedNodeRef<'_>) -> Option<NamedNode> {
        let iri = subject.as_str();
        if in_vocabulary(iri) {
            return Some(crate::vocab::ONTOLOGY.into_owned());
        }
        let rel = self.relative(iri)?;
        let rel = rel.split('#').next().unwrap_or(rel);
        let mut parts = rel.split('/');
        if parts.next() != Some("id") {
            return None;
        }
        let kind = parts.next().filter(|k| !k.is_empty())?;
        let slug = parts.next().filter(|s| !s.is_empty())?;
        Some(self.join(&format!("id/{kind}/{slug}")))
    }

    /// The path of the base (`/`, or `/ia/` for `https://example.org/ia/`):
    /// pages link under it with absolute paths, whatever the host name.
    pub fn root(&self) -> &str {
        let after_scheme = self.0.split_once("://").map_or("", |(_, rest)| rest);
        after_scheme.find('/').map_or("/", |i| &after_scheme[i..])
    }

    /// The page of a thing named under `/id/` (`{root}page/{kind}/{slug}`,
    /// fragment kept); `None` for an IRI that is not a thing of this base.
    pub fn page_path(&self, thing: &str) -> Option<String> {
        let rest = self.relative(thing)?.strip_prefix("id/")?;
        Some(format!("{}page/{rest}", self.root()))
    }
}

/// Whether `iri` is bibia's ontology or one of its terms (`…/def`,
/// `…/def#Term`, `…/def/0.1.0`), and not merely an IRI that starts the same
/// (`https://w3id.org/bibia/defaut/…`).
pub(crate) fn in_vocabulary(iri: &str) -> bool {
    let ontology = crate::vocab::ONTOLOGY.as_str();
    iri.strip_prefix(ontology)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(['#', '/']))
}

/// The base IRI a bibia service minted `iri` under: what comes before
/// the last `id/{kind}/` of its path (fragment aside), `kind` one of
/// [`KINDS`] (`http://localhost:8080/id/projet/x` →
/// `http://localhost:8080/`). The last, since a base may itself hold
/// `/id/projet/` (`http://h/id/projet/a/` mints `http://h/id/projet/a/id/projet/x`)
/// while a record's own path after its kind never does (a slug has no `/`).
/// `None` for an IRI that is no record IRI.
pub fn minted_base(iri: &str) -> Option<&str> {
    let authority = iri.find("://")? + 3;
    let document = iri.split('#').next().unwrap_or(iri);
    let path = authority + document.get(authority..)?.find('/')?;
    let mut to = document.len();
    while let Some(at) = document[..to].rfind("/id/") {
        if at < path {
            break;
        }
        let rest = &document[at + 4..];
        if let Some((kind, slug)) = rest.split_once('/')
            && KINDS.contains(&kind)
            && !slug.is_empty()
        {
            return Some(&iri[..=at]);
        }
        // The next `/id/` may overlap this one (`/id/id/projet/x`).
        to = at + 3;
    }
    None
}

/// A lowercase ASCII slug: accents folded, every run of other characters
/// turned into one `-`, at most 80 characters, never empty.
pub fn slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(SLUG_MAX));
    let mut dash = false;
    for c in text.nfkd() {
        if c.is_ascii_alphanumeric() {
            let sep = dash && !out.is_empty();
            // The dash and the character both fit, or the slug ends here
            // (a dash and a character at 79 made 81 characters).
            if out.len() + usize::from(sep) >= SLUG_MAX {
                break;
            }
            if sep {
                out.push('-');
            }
            dash = false;
            out.push(c.to_ascii_lowercase());
        } else if !unicode_normalization::char::is_combining_mark(c) {
            dash = true;
        }
    }
    if out.is_empty() {
        "sans-nom".to_owned()
    } else {
        out
    }
}

/// The longest slug.
const SLUG_MAX: usize = 80;

/// Folds a label for matching: lowercase, accents and punctuation removed,
/// spaces collapsed ("  Élu " and "elu" fold to the same key).
pub fn fold(text: &str) -> String {
    slug(text).replace('-', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slug_folds_accents_and_punctuation() {
        assert_eq!(
            slug("Métropole de Lyon — Chatbot « Déchets »"),
            "metropole-de-lyon-chatbot-dechets"
        );
        assert_eq!(
            slug("Communauté d'agglomération"),
            "communaute-d-agglomeration"
        );
        assert_eq!(slug("  "), "sans-nom");
    }

    #[test]
    fn record_of_strips_fragment_and_keeps_concept_scheme() {
        let base = BaseIri::parse("http://localhost:8080").unwrap();
        let p = base.join("id/projet/lyon-chatbot#algorithme");
        assert_eq!(
            base.record_of(p.as_ref()).unwrap().as_str(),
            "http://localhost:8080/id/projet/lyon-chatbot"
        );
        let c = base.join("id/concept/theme/mobilites");
        assert_eq!(
            base.record_of(c.as_ref()).unwrap().as_str(),
            "http://localhost:8080/id/concept/theme"
        );
        let other = NamedNode::new_unchecked("http://spdx.org/licenses/MIT");
        assert!(base.record_of(other.as_ref()).is_none());
    }

    #[test]
    fn minted_base_is_what_comes_before_id_kind() {
        assert_eq!(
            minted_base("http://localhost:8080/id/projet/x#algorithme"),
            Some("http://localhost:8080/")
        );
        assert_eq!(
            minted_base("https://bibia.example/ia/id/concept/statut/terminee"),
            Some("https://bibia.example/ia/")
        );
        assert_eq!(minted_base("http://id.insee.fr/geo/commune/01001"), None);
        assert_eq!(minted_base("http://e/id/autre/x"), None);
        assert_eq!(minted_base("http://e/id/projet/"), None);
        assert_eq!(minted_base("https://w3id.org/bibia/def#UseCase"), None);
    }

    #[test]
    fn pages_stay_under_the_root_of_the_base() {
        let base = BaseIri::parse("https://example.org/ia").unwrap();
        assert_eq!(base.root(), "/ia/");
        assert_eq!(
            base.page_path("https://example.org/ia/id/projet/x#algorithme")
                .as_deref(),
            Some("/ia/page/projet/x#algorithme")
        );
        assert_eq!(base.page_path("http://spdx.org/licenses/MIT"), None);
    }

    #[test]
    fn base_iri_rejects_relative() {
        assert!(BaseIri::parse("localhost:8080").is_err());
        assert_eq!(
            BaseIri::parse("https://bibia.fr").unwrap().as_str(),
            "https://bibia.fr/"
        );
    }

    /// Found by the property below: a word starting at the 79th character
    /// added a dash and a letter, 81 characters, and the slug of that slug
    /// was another (79 characters).
    #[test]
    fn a_slug_stops_at_80_characters_even_when_a_word_starts_at_79() {
        let text = format!("{} b", "a".repeat(79));
        assert_eq!(slug(&text), "a".repeat(79));
        assert_eq!(slug(&"a".repeat(100)), "a".repeat(80));
        let text = format!("{} b", "a".repeat(78));
        assert_eq!(slug(&text), format!("{}-b", "a".repeat(78)));
    }

    /// Found by the property below: a base with a query or a fragment was
    /// taken, and its pages' "paths" held them (`/?q/page/…`).
    #[test]
    fn base_iri_refuses_a_query_or_a_fragment() {
        assert!(BaseIri::parse("http://h/ia?x").is_err());
        assert!(BaseIri::parse("http://h/#ia").is_err());
    }

    /// Found by the property below: `http://` was a base, and its records
    /// `http://id/projet/x`, on a host named `id`.
    #[test]
    fn base_iri_refuses_an_empty_host() {
        assert!(BaseIri::parse("http://").is_err());
        assert!(BaseIri::parse("https:///ia/").is_err());
        assert!(BaseIri::parse("http://h").is_ok());
    }

    /// Found by the property below: a base under `/id/projet/…` gave the
    /// base before it, and a base starting like the ontology's IRI made
    /// every record the ontology's.
    #[test]
    fn bases_that_look_like_record_or_ontology_iris() {
        let iri = "http://h/id/projet/a/id/projet/x#algorithme/id/projet/y";
        assert_eq!(minted_base(iri), Some("http://h/id/projet/a/"));
        assert_eq!(
            minted_base("http://h/x/id/id/projet/s"),
            Some("http://h/x/id/")
        );
        assert_eq!(minted_base("http://id/id"), None);
        let base = BaseIri::parse("https://w3id.org/bibia/defaut").unwrap();
        let p = base.join("id/projet/x");
        assert_eq!(base.record_of(p.as_ref()), Some(p.clone()));
        for term in [
            "https://w3id.org/bibia/def",
            "https://w3id.org/bibia/def#UseCase",
            "https://w3id.org/bibia/def/0.1.0",
        ] {
            assert_eq!(
                base.record_of(NamedNodeRef::new_unchecked(term)),
                Some(crate::vocab::ONTOLOGY.into_owned()),
                "{term}"
            );
        }
    }

    use proptest::collection::vec;
    use proptest::prelude::*;
    use proptest::sample::select;

    /// Text made to trip slugs: composed and decomposed accents, marks
    /// alone, ligatures, digits of other scripts, emoji, runs of dashes and
    /// spaces, long words (to reach 80 characters at every offset).
    const TEXT: &[&str] = &[
        "a",
        "Z",
        "9",
        "-",
        " ",
        "--",
        "é",
        "e\u{301}",
        "\u{301}",
        "ﬁ",
        "ß",
        "Œ",
        "①",
        "٣",
        "😀",
        "\u{0}",
        "\n",
        "'",
        "_",
        "À la",
        "abcdefghij",
        "abcdefghijklmnopqrstuvwxyz0123456789",
        "Ⅻ",
        "ǅ",
        "\u{fdfa}",
    ];

    /// Pieces of would-be base IRIs.
    const BASE: &[&str] = &[
        "http://",
        "https://",
        "HTTP://",
        "ftp://",
        "http:/",
        "localhost:8080",
        "bibia.example",
        "w3id.org",
        "[::1]:8080",
        "bibliothèque.example",
        "/",
        "/",
        "ia",
        "id",
        "projet",
        "concept",
        "bibia",
        "def",
        "defaut",
        "%C3%A9",
        "é",
        "~u",
        "?q",
        "#f",
        " ",
        "<",
        "\\",
    ];

    /// Hosts and path segments of bases, some of which look like a
    /// record's path or the ontology's IRI.
    const HOSTS: &[&str] = &[
        "localhost:8080",
        "bibia.example",
        "id",
        "w3id.org",
        "[::1]:8080",
        "bibliothèque.example",
    ];
    const SEGMENTS: &[&str] = &[
        "ia", "id", "projet", "concept", "x", "bibia", "def", "defaut", "page", "%C3%A9", "é", "~u",
    ];

    /// Fragments of records' IRIs, some of which look like record paths.
    const FRAGMENT: &[&str] = &[
        "algorithme",
        "contact",
        "/id/projet/z",
        "id",
        "-",
        "%20",
        "é",
    ];

    /// Up to `max` of `pieces`, end to end.
    fn text(pieces: &'static [&'static str], max: usize) -> impl Strategy<Value = String> {
        vec(select(pieces), 0..=max).prop_map(|p| p.concat())
    }

    /// A base IRI that must parse: a scheme, a host and a few segments.
    fn base() -> impl Strategy<Value = String> {
        (
            select(&["http://", "https://"][..]),
            select(HOSTS),
            vec(select(SEGMENTS), 0..5),
            any::<bool>(),
        )
            .prop_map(|(scheme, host, segments, slash)| {
                let mut raw = format!("{scheme}{host}");
                for s in segments {
                    raw.push('/');
                    raw.push_str(s);
                }
                if slash {
                    raw.push('/');
                }
                raw
            })
    }

    /// The input of the `iri_slug` fuzz target: a byte choosing the kind,
    /// then the text.
    fn target(kind: u8, text: &str) {
        let mut data = vec![kind];
        data.extend_from_slice(text.as_bytes());
        crate::fuzzing::iri_slug(&data);
    }

    proptest! {
        #![proptest_config(crate::fuzzing::proptest_config())]

        #[test]
        fn slugs_are_short_lowercase_ascii_words_that_slug_to_themselves(
            text in text(TEXT, 40),
        ) {
            target(0, &text);
        }

        #[test]
        fn base_iris_read_back_and_their_root_is_their_path(
            kind in any::<u8>(),
            raw in text(BASE, 8),
        ) {
            target(kind, &raw);
        }

        /// A record minted under a base maps back to itself, its page and
        /// its base, whatever its slug and fragment look like.
        #[test]
        fn a_records_iri_maps_back_to_its_record_page_and_base(
            kind in any::<u8>(),
            base in base(),
            name in text(TEXT, 12),
            fragment in text(FRAGMENT, 3),
        ) {
            prop_assert!(BaseIri::parse(&base).is_ok(), "{}", base);
            // The target slugs the whole text: the base, the name and
            // the fragment.
            target(kind, &format!("{base}{name}\t{fragment}"));
            target(kind, &format!("{base}\t{fragment}"));
        }

        #[test]
        fn minted_base_of_any_text_is_a_prefix_ending_with_a_slash(
            text in vec(
                select(BASE)
                    .prop_union(select(FRAGMENT))
                    .or(select(KINDS))
                    .or(select(&["/id/", "://", "#", "/", "é/"][..])),
                0..12,
            ),
        ) {
            target(0, &text.concat());
        }

        #[test]
        fn arbitrary_bytes(data in vec(any::<u8>(), 0..128)) {
            crate::fuzzing::iri_slug(&data);
        }
    }
}

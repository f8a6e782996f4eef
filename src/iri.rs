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

/// A base IRI that is not an absolute http(s) IRI.
#[derive(Debug, thiserror::Error)]
#[error(
    "IRI de base invalide « {0} » : attendu une adresse http(s) absolue, par exemple http://localhost:8080/"
)]
pub struct BaseIriError(String);

impl BaseIri {
    /// Checks and normalises a base IRI (a trailing `/` is added when missing).
    pub fn parse(raw: &str) -> Result<Self, BaseIriError> {
        let mut s = raw.trim().to_owned();
        if !(s.starts_with("http://") || s.starts_with("https://"))
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
        if iri.starts_with("https://w3id.org/bibia/def") {
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

/// The base IRI a bibia service minted `iri` under: what comes before
/// `id/{kind}/` in its path, `kind` one of [`KINDS`]
/// (`http://localhost:8080/id/projet/x` → `http://localhost:8080/`).
/// `None` for an IRI that is no record IRI.
pub fn minted_base(iri: &str) -> Option<&str> {
    let authority = iri.find("://")? + 3;
    let mut from = authority + iri[authority..].find('/')?;
    while let Some(i) = iri[from..].find("/id/") {
        let at = from + i;
        let rest = &iri[at + 4..];
        if let Some((kind, slug)) = rest.split_once('/')
            && KINDS.contains(&kind)
            && !slug.is_empty()
        {
            return Some(&iri[..=at]);
        }
        from = at + 1;
    }
    None
}

/// A lowercase ASCII slug: accents folded, every run of other characters
/// turned into one `-`, at most 80 characters, never empty.
pub fn slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut dash = false;
    for c in text.nfkd() {
        if c.is_ascii_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c.to_ascii_lowercase());
        } else if !unicode_normalization::char::is_combining_mark(c) {
            dash = true;
        }
        if out.len() >= 80 {
            break;
        }
    }
    let out = out.trim_end_matches('-').to_owned();
    if out.is_empty() {
        "sans-nom".to_owned()
    } else {
        out
    }
}

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
}

//! The search page (`/recherche?q=…`): for each kind of record, how many
//! match and the best of them with the passage where the words are, and a
//! link to the list of all of them (`/projets?q=…`), where the facets
//! combine with the words. Also its JSON for scripts.

use super::Site;
use super::format::percent;
use crate::browse::{Index, Kind};
use crate::search::Hit;
use askama::Template;

/// Results shown per kind on the search page.
pub const SHOWN: usize = 5;

/// The search page.
#[derive(Debug, Template)]
#[template(path = "search.html", config = "src/html/askama.toml")]
pub struct SearchPage {
    /// The site.
    pub site: Site,
    /// The words searched.
    pub q: String,
    /// How many records match, all kinds together.
    pub total: usize,
    /// Per kind that has matches.
    pub groups: Vec<Group>,
}

/// The matches of one kind.
#[derive(Debug)]
pub struct Group {
    /// "Projets".
    pub title: &'static str,
    /// How many match.
    pub count: usize,
    /// The list of all of them, with the words.
    pub href: String,
    /// The best ones.
    pub results: Vec<Found>,
}

/// One record found, as shown.
#[derive(Debug)]
pub struct Found {
    /// Its title.
    pub title: String,
    /// Its page.
    pub href: String,
    /// Its organisation's name.
    pub organisation: String,
    /// The passage with the words, HTML (escaped by the search, words in
    /// `<mark>`), or empty.
    pub snippet: String,
    /// The start of its description, when no passage has the words.
    pub summary: String,
}

/// Builds the page from the number of matches of each kind and the best
/// hits (best first, snippets filled).
pub fn search_page(
    index: &Index,
    site: &Site,
    q: &str,
    counts: &[(Kind, usize)],
    hits: &[Hit],
) -> SearchPage {
    let groups = counts
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(kind, count)| {
            let of_kind: Vec<&Hit> = hits.iter().filter(|h| h.kind == *kind).collect();
            let results = of_kind
                .iter()
                .take(SHOWN)
                .filter_map(|h| {
                    let entry = index.entries(*kind).get(h.position)?;
                    Some(Found {
                        title: entry.title.clone(),
                        href: site.href(&h.iri),
                        organisation: entry
                            .organisation
                            .as_ref()
                            .map(|(_, n)| n.clone())
                            .unwrap_or_default(),
                        snippet: h.snippet.clone(),
                        summary: entry.summary.clone(),
                    })
                })
                .collect();
            Group {
                title: kind.title(),
                count: *count,
                href: format!("{}?q={}", site.path(kind.path()), percent(q)),
                results,
            }
        })
        .collect();
    SearchPage {
        site: site.clone(),
        q: q.to_owned(),
        total: counts.iter().map(|(_, n)| n).sum(),
        groups,
    }
}

/// The JSON answer of a search: the words, the count per kind, and the
/// hits (best first, at most `limit`) with their title, page, organisation
/// and passage.
pub fn search_json(
    index: &Index,
    site: &Site,
    q: &str,
    counts: &[(Kind, usize)],
    hits: &[Hit],
    limit: usize,
) -> serde_json::Value {
    let count = |kind: Kind| {
        counts
            .iter()
            .find(|(k, _)| *k == kind)
            .map_or(0, |(_, n)| *n)
    };
    let results: Vec<serde_json::Value> = hits
        .iter()
        .take(limit)
        .filter_map(|h| {
            let entry = index.entries(h.kind).get(h.position)?;
            Some(serde_json::json!({
                "iri": h.iri,
                "type": h.kind.path(),
                "titre": entry.title,
                "page": absolute(site, &site.href(&h.iri)),
                "organisation": entry.organisation.as_ref().map(|(_, n)| n.clone()),
                "score": h.score,
                "extrait": h.snippet,
            }))
        })
        .collect();
    serde_json::json!({
        "q": q,
        "total": counts.iter().map(|(_, n)| n).sum::<usize>(),
        "par_type": Kind::ALL.iter().map(|k| (k.path().to_owned(), serde_json::json!(count(*k)))).collect::<serde_json::Map<_, _>>(),
        "resultats": results,
    })
}

/// A root-relative path of the site (`/page/…`) as an absolute URL.
fn absolute(site: &Site, path: &str) -> String {
    let rest = path.strip_prefix(&site.root).unwrap_or(path);
    format!("{}{rest}", site.base.as_str())
}

//! The home page: what the library is, how many records it holds, the
//! latest use cases, and the ways in (lists, SPARQL).

use super::Site;
use crate::browse::{Index, Kind, Sort};
use askama::Template;

/// How many use cases the home page shows.
const LATEST: usize = 6;

/// The home page.
#[derive(Debug, Template)]
#[template(path = "home.html", config = "src/html/askama.toml")]
pub struct HomePage {
    /// The site.
    pub site: Site,
    /// (label, count, link) per kind.
    pub counts: Vec<(&'static str, usize, String)>,
    /// The latest use cases: title, page, organisation.
    pub latest: Vec<(String, String, String)>,
    /// Whether any record shown is fictitious.
    pub fictitious: bool,
}

/// Builds the home page from the index.
pub fn home_page(index: &Index, site: &Site) -> HomePage {
    let counts = Kind::ALL
        .iter()
        .map(|k| (k.title(), index.entries(*k).len(), site.path(k.path())))
        .collect();
    let selection = index.select(Kind::Projet, &Default::default(), Sort::Recent);
    let latest = selection
        .entries
        .iter()
        .take(LATEST)
        .map(|e| {
            (
                e.title.clone(),
                site.href(e.iri.as_str()),
                e.organisation
                    .as_ref()
                    .map(|(_, n)| n.clone())
                    .unwrap_or_default(),
            )
        })
        .collect();
    let fictitious = index.entries(Kind::Projet).iter().any(|e| e.fictitious);
    HomePage {
        site: site.clone(),
        counts,
        latest,
        fictitious,
    }
}

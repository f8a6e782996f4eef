//! The lists (`/projets`, `/organisations`, `/solutions`, `/ressources`):
//! the records kept by the facets in the URL, a page of them, each facet's
//! values with their counts as links that add or remove them, the sorts,
//! and the CSV and RDF downloads of the same selection. All the state is
//! in the URL, so a view can be shared.
//!
//! With `q=`, a list shows the records the search matched, best first,
//! each with the passage where the words are; the facets then count
//! among them.

use super::{Site, format};
use crate::browse::{Facet, Filters, Index, Kind, Selection, Sort};
use crate::search::Hit;
use askama::Template;
use std::collections::HashMap;

/// Records per page.
pub const PAGE_SIZE: usize = 20;

/// What a list URL asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListState {
    /// The kind listed.
    pub kind: Kind,
    /// The facets' values kept.
    pub filters: Filters,
    /// The order.
    pub sort: Sort,
    /// The page (from 1).
    pub page: usize,
    /// The words searched (`q=`), or empty.
    pub q: String,
}

impl ListState {
    /// Reads the query's pairs: facet parameters (repeatable), `tri` and
    /// `page`; other parameters are ignored.
    pub fn from_pairs(kind: Kind, pairs: &[(String, String)]) -> Self {
        let mut filters = Filters::new();
        let q = pairs
            .iter()
            .find(|(k, _)| k == "q")
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default();
        let sorts = Self::sorts_for(kind, &q);
        let mut sort = sorts[0];
        let mut page = 1;
        for (k, v) in pairs {
            if k == "tri" {
                if let Some(s) = sorts.iter().find(|s| s.param() == v) {
                    sort = *s;
                }
            } else if k == "page" {
                page = v.parse().unwrap_or(1).max(1);
            } else if let Some(f) = Facet::from_param(k).filter(|f| kind.facets().contains(f))
                && !v.is_empty()
            {
                let keys = filters.entry(f).or_default();
                if !keys.contains(v) {
                    keys.push(v.clone());
                }
            }
        }
        for keys in filters.values_mut() {
            keys.sort();
        }
        Self {
            kind,
            filters,
            sort,
            page,
            q,
        }
    }

    /// The sorts offered, the default first: by relevance for a search.
    fn sorts_for(kind: Kind, q: &str) -> Vec<Sort> {
        let mut sorts = Vec::new();
        if !q.is_empty() {
            sorts.push(Sort::Relevance);
        }
        sorts.extend_from_slice(kind.sorts());
        sorts
    }

    /// The query string of this state (without `?`), in a canonical order;
    /// the default sort and page 1 are left out.
    pub fn query(&self) -> String {
        let mut parts = Vec::new();
        if !self.q.is_empty() {
            parts.push(format!("q={}", format::percent(&self.q)));
        }
        for (facet, keys) in &self.filters {
            for k in keys {
                parts.push(format!("{}={}", facet.param(), format::percent(k)));
            }
        }
        if self.sort != Self::sorts_for(self.kind, &self.q)[0] {
            parts.push(format!("tri={}", self.sort.param()));
        }
        if self.page > 1 {
            parts.push(format!("page={}", self.page));
        }
        parts.join("&")
    }

    fn href(&self, site: &Site, suffix: &str) -> String {
        let q = self.query();
        let path = site.path(&format!("{}{suffix}", self.kind.path()));
        if q.is_empty() {
            path
        } else {
            format!("{path}?{q}")
        }
    }

    fn toggled(&self, facet: Facet, key: &str) -> Self {
        let mut next = self.clone();
        next.page = 1;
        let keys = next.filters.entry(facet).or_default();
        if let Some(i) = keys.iter().position(|k| k == key) {
            keys.remove(i);
        } else {
            keys.push(key.to_owned());
            keys.sort();
        }
        next.filters.retain(|_, keys| !keys.is_empty());
        next
    }
}

/// A record in a list.
#[derive(Debug, Clone)]
pub struct Item {
    /// Its title.
    pub title: String,
    /// Its page.
    pub href: String,
    /// The start of its description.
    pub summary: String,
    /// Its organisation: name and page.
    pub organisation: Option<(String, String)>,
    /// A few facet values shown under it.
    pub tags: Vec<String>,
    /// Fictitious data.
    pub fictitious: bool,
    /// For a search, the passage where the words are, as HTML (escaped
    /// by the search, the words in `<mark>`); else empty.
    pub snippet: String,
}

/// A value of a facet as a link.
#[derive(Debug, Clone)]
pub struct Choice {
    /// Its label.
    pub label: String,
    /// How many records it gives.
    pub count: usize,
    /// The list with it added (or removed when selected).
    pub href: String,
    /// Whether it is selected.
    pub selected: bool,
}

/// A facet with its values.
#[derive(Debug, Clone)]
pub struct FacetView {
    /// Its heading.
    pub label: &'static str,
    /// Its values.
    pub choices: Vec<Choice>,
}

/// A list page.
#[derive(Debug, Template)]
#[template(path = "list.html", config = "src/html/askama.toml")]
pub struct ListPage {
    /// The site.
    pub site: Site,
    /// "Projets".
    pub title: &'static str,
    /// How many records the filters keep.
    pub total: usize,
    /// The page shown and how many there are.
    pub page: usize,
    /// How many pages.
    pub pages: usize,
    /// The records of this page.
    pub items: Vec<Item>,
    /// The facets.
    pub facets: Vec<FacetView>,
    /// The values selected: label and the link that removes it.
    pub active: Vec<(String, String)>,
    /// The sorts: label, link, current.
    pub sorts: Vec<(&'static str, String, bool)>,
    /// Previous and next pages.
    pub previous: Option<String>,
    /// Next page.
    pub next: Option<String>,
    /// The same selection as CSV.
    pub csv: String,
    /// The same selection as Turtle.
    pub rdf: String,
    /// This view's own link.
    pub this: String,
    /// The words searched, or empty.
    pub q: String,
    /// The list's own path (the search form's action).
    pub action: String,
    /// The facets' values kept, as hidden fields of the search form.
    pub hidden: Vec<(&'static str, String)>,
}

/// The records a search matched, by IRI.
pub type Matches = HashMap<String, Hit>;

fn scores(matches: Option<&Matches>) -> Option<HashMap<String, f32>> {
    matches.map(|m| m.iter().map(|(k, h)| (k.clone(), h.score)).collect())
}

/// Builds the page of a list from the index (among `matches` for a
/// search).
pub fn list_page(
    index: &Index,
    site: &Site,
    state: &ListState,
    matches: Option<&Matches>,
) -> ListPage {
    let scores = scores(matches);
    let Selection { entries, counts } =
        index.select_matching(state.kind, &state.filters, state.sort, scores.as_ref());
    let total = entries.len();
    let pages = total.div_ceil(PAGE_SIZE).max(1);
    let page = state.page.min(pages);
    let items = entries
        .iter()
        .skip((page - 1) * PAGE_SIZE)
        .take(PAGE_SIZE)
        .map(|e| Item {
            title: e.title.clone(),
            href: site.href(e.iri.as_str()),
            summary: e.summary.clone(),
            organisation: e
                .organisation
                .as_ref()
                .map(|(iri, name)| (name.clone(), site.href(iri.as_str()))),
            tags: [
                Facet::Theme,
                Facet::Status,
                Facet::SolutionCategory,
                Facet::ResourceType,
                Facet::OrganisationType,
            ]
            .iter()
            .filter(|f| state.kind.facets().contains(f))
            .flat_map(|f| {
                e.facets
                    .get(f)
                    .into_iter()
                    .flatten()
                    .map(|v| v.label.clone())
            })
            .take(4)
            .collect(),
            fictitious: e.fictitious,
            snippet: matches
                .and_then(|m| m.get(e.iri.as_str()))
                .map(|h| h.snippet.clone())
                .unwrap_or_default(),
        })
        .collect();
    let mut active = Vec::new();
    let facets = counts
        .into_iter()
        .map(|(facet, values)| {
            let selected = state.filters.get(&facet);
            let choices = values
                .into_iter()
                .map(|(v, count)| {
                    let is = selected.is_some_and(|keys| keys.contains(&v.key));
                    let href = state.toggled(facet, &v.key).href(site, "");
                    if is {
                        active.push((format!("{} : {}", facet.label(), v.label), href.clone()));
                    }
                    Choice {
                        label: v.label,
                        count,
                        href,
                        selected: is,
                    }
                })
                .collect();
            FacetView {
                label: facet.label(),
                choices,
            }
        })
        .filter(|f: &FacetView| !f.choices.is_empty())
        .collect();
    let at = |p: usize| {
        let mut s = state.clone();
        s.page = p;
        s.href(site, "")
    };
    let sorts = ListState::sorts_for(state.kind, &state.q)
        .iter()
        .map(|s| {
            let mut next = state.clone();
            next.sort = *s;
            next.page = 1;
            (s.label(), next.href(site, ""), *s == state.sort)
        })
        .collect();
    let mut whole = state.clone();
    whole.page = 1;
    ListPage {
        site: site.clone(),
        title: state.kind.title(),
        total,
        page,
        pages,
        items,
        facets,
        active,
        sorts,
        previous: (page > 1).then(|| at(page - 1)),
        next: (page < pages).then(|| at(page + 1)),
        csv: whole.href(site, ".csv"),
        rdf: whole.href(site, ".ttl"),
        this: at(page),
        q: state.q.clone(),
        action: site.path(state.kind.path()),
        hidden: state
            .filters
            .iter()
            .flat_map(|(f, keys)| keys.iter().map(|k| (f.param(), k.clone())))
            .collect(),
    }
}

/// The selection of a list as CSV (every record kept, not one page):
/// IRI, title, organisation, then one column per facet (values joined by
/// ` | `).
pub fn list_csv(index: &Index, state: &ListState, matches: Option<&Matches>) -> String {
    let scores = scores(matches);
    let selection = index.select_matching(state.kind, &state.filters, state.sort, scores.as_ref());
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["iri", "titre", "organisation"];
    header.extend(state.kind.facets().iter().map(|f| f.param()));
    header.push("mise_a_jour");
    let _ = w.write_record(&header);
    for e in &selection.entries {
        let mut row = vec![
            e.iri.as_str().to_owned(),
            e.title.clone(),
            e.organisation
                .as_ref()
                .map(|(_, n)| n.clone())
                .unwrap_or_default(),
        ];
        for f in state.kind.facets() {
            let values: Vec<&str> = e
                .facets
                .get(f)
                .into_iter()
                .flatten()
                .map(|v| v.label.as_str())
                .collect();
            row.push(values.join(" | "));
        }
        row.push(e.updated.clone());
        let _ = w.write_record(&row);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

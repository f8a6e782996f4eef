//! HTML for people: view models built from the public projection's triples
//! (no HTML in them) and the askama templates that render them (checked at
//! compile time, every value escaped by default).
//!
//! Each page is a view model (`entity`, `list`, `home`, `stats`, `map`,
//! `notice`, `form` for the contribution forms, and
//! `def` and `vocab` for the documentation of the model) plus one template
//! under `templates/`; `Site` carries what every page shows
//! (where the service lives, the contact for reporting an error).

pub mod contribute;
mod def;
mod downloads;
mod entity;
mod form;
pub(crate) mod format;
mod home;
mod list;
mod map;
mod notice;
pub mod search;
mod stats;

pub use downloads::{DownloadsPage, downloads_page};
mod vocab;

pub use def::{
    Access, DefPage, Documentation, Field, NodeRule, Rule, TermDoc, TermLink, TermSection,
};
pub use entity::{EntityPage, entity_page};
pub use form::{FormPage, form_page};
pub use home::{HomePage, home_page};
pub use list::{ListPage, ListState, Matches, PAGE_SIZE, list_csv, list_page};
pub use map::{Level as MapLevel, MapPage, map_page};
pub use notice::{NoticePage, gone_page, not_found_page, slug_similarity};
pub use search::{SearchPage, search_json, search_page};
pub use stats::{StatsPage, stats_page};
pub use vocab::{ConceptView, SchemeEntry, VocabIndexPage, VocabPage};

use crate::iri::BaseIri;

/// The stylesheet, served by bibia itself (no asset from elsewhere).
pub const STYLESHEET: &str = include_str!("static/bibia.css");

/// The icon (SVG), served as `/favicon.ico` too.
pub const ICON: &str = include_str!("static/icon.svg");

/// What every page needs to know about the service.
#[derive(Debug, Clone)]
pub struct Site {
    /// The base IRI of the deployment.
    pub base: BaseIri,
    /// The path of the base (`/` or `/ia/`): pages link with absolute
    /// paths under it, so they work whatever the host name.
    pub root: String,
    /// Where "signaler une erreur" writes to.
    pub contact: String,
}

impl Site {
    /// The site of a deployment.
    pub fn new(base: BaseIri, contact: String) -> Self {
        let after_scheme = base.as_str().split_once("://").map_or("", |(_, rest)| rest);
        let root = after_scheme
            .find('/')
            .map_or("/".to_owned(), |i| after_scheme[i..].to_owned());
        Self {
            base,
            root,
            contact,
        }
    }

    /// The page of a thing of this deployment (`/id/…` → `{root}page/…`),
    /// or the IRI itself for anything else.
    pub fn href(&self, iri: &str) -> String {
        match self.base.relative(iri).and_then(|r| r.strip_prefix("id/")) {
            Some(rest) => {
                let (path, fragment) = rest.split_once('#').map_or((rest, ""), |(p, f)| (p, f));
                if fragment.is_empty() {
                    format!("{}page/{path}", self.root)
                } else {
                    format!("{}page/{path}#{fragment}", self.root)
                }
            }
            None => iri.to_owned(),
        }
    }

    /// A path under the root (`projets` → `/projets`).
    pub fn path(&self, relative: &str) -> String {
        format!("{}{}", self.root, relative.trim_start_matches('/'))
    }

    /// The link of "signaler une erreur" about a thing: the report form,
    /// which keeps the report for the network's moderators.
    pub fn report_href(&self, thing: &str) -> String {
        format!("{}signaler?page={}", self.root, format::percent(thing))
    }
}

//! The statistics page (`/statistiques`): the use cases counted by theme,
//! sub-theme, status, type of their organisation, région, start year,
//! audience, AI Act risk category, solution category, and how complete
//! their algorithm's transparency record is.
//!
//! Every figure is a facet count of the lists' index (the public
//! projection only: no algorithm type, budget or funding is ever read),
//! so each bar links to the list filtered on its value, and that list
//! holds exactly as many use cases as the bar says. Each chart is an SVG
//! drawn here, with its figures as a table beside it.

use super::Site;
use super::format::percent;
use crate::browse::{Facet, Index, Kind, Sort, TRANSPARENCY_LEVELS};
use askama::Template;

/// The charts, in the order shown.
const CHARTS: [Facet; 10] = [
    Facet::Theme,
    Facet::SubTheme,
    Facet::Status,
    Facet::OrganisationType,
    Facet::Region,
    Facet::StartYear,
    Facet::Audience,
    Facet::RiskCategory,
    Facet::SolutionCategory,
    Facet::Transparency,
];

/// The drawing's measures, in SVG user units.
const WIDTH: usize = 720;
const LABEL_WIDTH: usize = 300;
const BAR_MAX: usize = 340;
const ROW: usize = 26;
const BAR_HEIGHT: usize = 18;
/// The longest label drawn whole (the table gives every label in full).
const LABEL_CHARS: usize = 42;

/// The statistics page.
#[derive(Debug, Template)]
#[template(path = "stats.html", config = "src/html/askama.toml")]
pub struct StatsPage {
    /// The site.
    pub site: Site,
    /// How many use cases there are.
    pub total: usize,
    /// The charts.
    pub charts: Vec<Chart>,
    /// Whether any use case is fictitious.
    pub fictitious: bool,
}

/// One chart and its table.
#[derive(Debug)]
pub struct Chart {
    /// Its anchor (the facet's URL parameter).
    pub id: &'static str,
    /// Its heading.
    pub title: String,
    /// Use cases with no value for it.
    pub without: usize,
    /// Its bars, from the top.
    pub bars: Vec<Bar>,
    /// The drawing's height.
    pub height: usize,
    /// The drawing's width.
    pub width: usize,
}

/// One bar: a value, its count and the list it links to, with where it is
/// drawn.
#[derive(Debug)]
pub struct Bar {
    /// The value's label.
    pub label: String,
    /// The label as drawn (shortened).
    pub short: String,
    /// How many use cases have it.
    pub count: usize,
    /// The list of those use cases.
    pub href: String,
    /// Top of its row.
    pub y: usize,
    /// Baseline of its texts.
    pub text_y: usize,
    /// Where the label ends (it is right-aligned).
    pub label_x: usize,
    /// Where the bar starts.
    pub x: usize,
    /// The bar's length (at least 2, to be seen).
    pub length: usize,
    /// Where the count is written.
    pub count_x: usize,
}

/// Builds the page from the index.
pub fn stats_page(index: &Index, site: &Site) -> StatsPage {
    let projects = index.entries(Kind::Projet);
    let total = projects.len();
    let selection = index.select(Kind::Projet, &Default::default(), Sort::Recent);
    let charts = CHARTS
        .iter()
        .map(|facet| {
            let mut values: Vec<_> = selection
                .counts
                .iter()
                .find(|(f, _)| f == facet)
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            match facet {
                Facet::StartYear => values.sort_by(|a, b| a.0.key.cmp(&b.0.key)),
                Facet::Transparency => values.sort_by_key(|(v, _)| {
                    TRANSPARENCY_LEVELS.iter().position(|(k, _)| *k == v.key)
                }),
                _ => values.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.label.cmp(&b.0.label))),
            }
            let without = projects
                .iter()
                .filter(|e| e.facets.get(facet).is_none_or(Vec::is_empty))
                .count();
            let max = values.iter().map(|(_, n)| *n).max().unwrap_or(1).max(1);
            let bars = values
                .into_iter()
                .enumerate()
                .map(|(i, (value, count))| {
                    let y = i * ROW;
                    let length = (count * BAR_MAX / max).max(2);
                    Bar {
                        short: shorten(&value.label),
                        label: value.label,
                        count,
                        href: format!(
                            "{}?{}={}",
                            site.path(Kind::Projet.path()),
                            facet.param(),
                            percent(&value.key)
                        ),
                        y,
                        text_y: y + BAR_HEIGHT - 4,
                        label_x: LABEL_WIDTH - 8,
                        x: LABEL_WIDTH,
                        length,
                        count_x: LABEL_WIDTH + length + 6,
                    }
                })
                .collect::<Vec<_>>();
            Chart {
                id: facet.param(),
                title: facet.label().to_owned(),
                without,
                height: bars.len().max(1) * ROW,
                width: WIDTH,
                bars,
            }
        })
        .collect();
    StatsPage {
        site: site.clone(),
        total,
        charts,
        fictitious: projects.iter().any(|e| e.fictitious),
    }
}

/// A label short enough for the drawing's label column.
fn shorten(label: &str) -> String {
    if label.chars().count() <= LABEL_CHARS {
        return label.to_owned();
    }
    let cut: String = label.chars().take(LABEL_CHARS - 1).collect();
    format!("{}…", cut.trim_end())
}

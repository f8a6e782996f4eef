//! `/statistiques`: every chart is there with its table, every bar links
//! to a list holding exactly as many use cases as the bar says, and the
//! transparency figure counts public fields only.

use super::{app, decode};
use crate::common;
use axum::http::StatusCode;

/// The rows of the tables of a statistics page: (chart id, list link,
/// count).
fn rows(html: &str) -> Vec<(String, String, usize)> {
    let mut out = Vec::new();
    for section in html.split("<section class=\"stat\" id=\"").skip(1) {
        let id = section.split('"').next().expect("id").to_owned();
        let Some(table) = section.split("<tbody>").nth(1) else {
            continue;
        };
        let table = table.split("</tbody>").next().expect("table");
        for (href, count) in super::linked_counts(table) {
            out.push((id.clone(), href, count));
        }
    }
    out
}

#[tokio::test]
async fn every_bar_links_to_a_list_of_as_many_use_cases() {
    let app = app();
    let r = app.get("/statistiques", Some("text/html")).await;
    assert_eq!(r.status, StatusCode::OK);
    let html = decode(&r.text());
    for id in [
        "theme",
        "sous-theme",
        "statut",
        "type-organisation",
        "region",
        "annee",
        "public",
        "risque-ia",
        "categorie-solution",
        "transparence",
    ] {
        assert!(
            html.contains(&format!("<section class=\"stat\" id=\"{id}\"")),
            "the {id} chart"
        );
    }
    let rows = rows(&html);
    assert!(rows.len() > 40, "{} bars", rows.len());
    // The drawing has the same bars as its table, each a link.
    assert_eq!(
        html.matches("<rect ").count(),
        rows.len(),
        "one bar per row of the tables"
    );
    for (id, href, count) in &rows {
        assert!(
            html.contains(&format!("<a href=\"{href}\" aria-label=\"")),
            "{id}: the bar of {href} is a link"
        );
        let (path, query) = href.split_once('?').expect("a filtered list");
        assert_eq!(path, "/projets", "{href}");
        let csv = app.get(&format!("/projets.csv?{query}"), None).await;
        assert_eq!(csv.status, StatusCode::OK, "{href}");
        let listed = csv::Reader::from_reader(csv.body.as_slice())
            .records()
            .count();
        assert_eq!(listed, *count, "{id}: {href}");
    }
    // Every use case has a transparency level: that chart adds up.
    let total: usize = rows
        .iter()
        .filter(|(id, _, _)| id == "transparence")
        .map(|(_, _, n)| n)
        .sum();
    let projects = app.get("/projets.csv", None).await;
    let all = csv::Reader::from_reader(projects.body.as_slice())
        .records()
        .count();
    assert_eq!(total, all);
}

#[test]
fn the_transparency_figure_reads_public_fields_only() {
    let policy = &common::demo().stores.model().policy;
    let restricted: Vec<_> = policy.restricted().collect();
    for field in bibia::browse::TRANSPARENCY {
        assert!(
            !restricted.iter().any(|r| r.as_ref() == field),
            "{field} is restricted"
        );
    }
}

//! `/carte`: every area of the map is a link to a list holding as many use
//! cases as the area and the table say, every département of the demo's
//! use cases is shaded, and the points are the organisations that have
//! coordinates, inside the drawing.

use super::{app, decode};
use crate::common::TestApp;
use axum::http::StatusCode;

/// An area of the drawing: (link, count in its accessible name, class).
fn areas(html: &str) -> Vec<(String, usize, String)> {
    let svg = html.split("<svg class=\"map\"").nth(1).expect("the map");
    let svg = svg.split("</svg>").next().expect("the map's end");
    let mut out = Vec::new();
    for link in svg.split("<a href=\"").skip(1) {
        let href = link.split('"').next().expect("href").to_owned();
        if !href.contains("/projets?") {
            continue;
        }
        let label = link
            .split("aria-label=\"")
            .nth(1)
            .and_then(|l| l.split('"').next())
            .expect("an accessible name");
        let count = label
            .rsplit(" : ")
            .next()
            .and_then(|c| c.split(' ').next())
            .and_then(|c| c.parse().ok())
            .unwrap_or_else(|| panic!("a count in {label:?}"));
        let class = link
            .split("<path class=\"")
            .nth(1)
            .and_then(|c| c.split('"').next())
            .expect("a shading class")
            .to_owned();
        out.push((href, count, class));
    }
    out
}

/// The rows of the table: (link, count).
fn rows(html: &str) -> Vec<(String, usize)> {
    let table = html.split("<tbody>").nth(1).expect("the table");
    let table = table.split("</tbody>").next().expect("the table's end");
    super::linked_counts(table)
}

async fn listed(app: &TestApp, href: &str) -> usize {
    let (path, query) = href.split_once('?').expect("a filtered list");
    assert_eq!(path, "/projets", "{href}");
    let csv = app.get(&format!("/projets.csv?{query}"), None).await;
    assert_eq!(csv.status, StatusCode::OK, "{href}");
    csv::Reader::from_reader(csv.body.as_slice())
        .records()
        .count()
}

/// Checks one level of the map; returns its areas.
async fn check_level(app: &TestApp, path: &str, facet: &str, n: usize) -> Vec<(String, usize)> {
    let r = app.get(path, Some("text/html")).await;
    assert_eq!(r.status, StatusCode::OK, "{path}");
    let html = decode(&r.text());
    let areas = areas(&html);
    assert_eq!(areas.len(), n, "{path}: every area is drawn, as a link");
    let rows = rows(&html);
    assert_eq!(rows.len(), n, "{path}: every area has its row");
    for (href, count, class) in &areas {
        assert!(
            href.starts_with(&format!("/projets?{facet}={facet}-")),
            "{href}"
        );
        assert_eq!(
            rows.iter().find(|(h, _)| h == href).map(|(_, c)| *c),
            Some(*count),
            "{path}: the table says what the map says for {href}"
        );
        assert_eq!(listed(app, href).await, *count, "{path}: {href}");
        assert_eq!(*count == 0, class == "c0", "{path}: {href} shaded {class}");
    }
    rows
}

#[tokio::test]
async fn every_area_links_to_a_list_of_as_many_use_cases() {
    let app = app();
    // 96 départements of the mainland and Corsica, 5 overseas.
    let departements = check_level(&app, "/carte", "departement", 101).await;
    // 13 régions of the mainland and Corsica, 5 overseas.
    check_level(&app, "/carte?niveau=regions", "region", 18).await;
    // Every département where a demo use case is is shaded: the lists'
    // département facet has no value the map leaves out.
    let all = app.get("/projets", Some("text/html")).await;
    let html = decode(&all.text());
    let mut keys: Vec<&str> = html
        .split("departement=departement-")
        .skip(1)
        .filter_map(|s| s.split(['"', '&']).next())
        .collect();
    keys.sort_unstable();
    keys.dedup();
    assert!(keys.len() > 10, "{keys:?}");
    for key in keys {
        let href = format!("/projets?departement=departement-{key}");
        let count = departements
            .iter()
            .find(|(h, _)| *h == href)
            .map(|(_, c)| *c);
        assert!(count.is_some_and(|c| c > 0), "{key} shaded: {count:?}");
    }
}

#[tokio::test]
async fn the_points_are_the_organisations_with_coordinates() {
    let app = app();
    let query = "PREFIX geo: <http://www.w3.org/2003/01/geo/wgs84_pos#> \
        PREFIX org: <http://www.w3.org/ns/org#> \
        SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o a org:Organization ; geo:lat ?lat ; geo:long ?long }";
    let r = app
        .get(
            &format!(
                "/sparql?{}",
                serde_urlencoded::to_string([("query", query)]).expect("query")
            ),
            Some("application/sparql-results+json"),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let json: serde_json::Value = serde_json::from_slice(&r.body).expect("JSON results");
    let expected: usize = json["results"]["bindings"][0]["n"]["value"]
        .as_str()
        .and_then(|n| n.parse().ok())
        .expect("a count");
    assert!(expected > 20, "{expected} organisations with coordinates");

    let page = app.get("/carte", Some("text/html")).await;
    let html = decode(&page.text());
    let view_box: Vec<f64> = html
        .split("<svg class=\"map\" viewBox=\"")
        .nth(1)
        .and_then(|v| v.split('"').next())
        .expect("a viewBox")
        .split(' ')
        .map(|v| v.parse().expect("a number"))
        .collect();
    let svg = html
        .split("<svg class=\"map\"")
        .nth(1)
        .and_then(|s| s.split("</svg>").next())
        .expect("the map");
    let points: Vec<(f64, f64, &str)> = svg
        .split("<circle cx=\"")
        .skip(1)
        .map(|c| {
            let x = c.split('"').next().expect("cx").parse().expect("cx");
            let y = c
                .split("cy=\"")
                .nth(1)
                .and_then(|v| v.split('"').next())
                .and_then(|v| v.parse().ok())
                .expect("cy");
            let name = c
                .split("<title>")
                .nth(1)
                .and_then(|t| t.split("</title>").next())
                .expect("a title");
            (x, y, name)
        })
        .collect();
    assert_eq!(points.len(), expected, "one point per organisation");
    for (x, y, name) in &points {
        assert!(!name.is_empty());
        assert!(
            (view_box[0]..=view_box[0] + view_box[2]).contains(x)
                && (view_box[1]..=view_box[1] + view_box[3]).contains(y),
            "{name} at {x} {y} lies outside {view_box:?}"
        );
    }
    // Each point links to its organisation's page.
    assert_eq!(
        svg.matches("\"><circle cx=").count(),
        points.len(),
        "every point is a link"
    );
    assert!(html.contains("<a href=\"/page/organisation/metropole-de-lyon\" aria-label=\""));
}

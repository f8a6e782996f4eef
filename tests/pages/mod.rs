//! bibia's HTML pages and data documents, judged as a browser, a harvester
//! and a linked-data client see them: `entities` (`/id`, `/page`, `/data`),
//! `lists` (home page, lists, facets, downloads, bursts), `restricted` (no
//! restricted value on any page or document of the demo), `stats` (the
//! statistics' bars against the lists they link to), `map` (the map's
//! areas against their lists, its points against SPARQL) and `browser`
//! (headless Chromium with axe-core). This file holds their helpers.

mod browser;
mod entities;
mod lists;
mod map;
pub(crate) mod restricted;
mod stats;

use crate::common::{self, TestApp, TestResponse, TestStore};
use axum::body::Body;
use axum::http::Request;

/// The demo use case most tests look at (below `id/`).
pub(crate) const LYON: &str = "projet/metropole-de-lyon-chatbot-dechets";

/// The app over the shared demo store.
pub(crate) fn app() -> TestApp {
    TestApp::demo()
}

/// GET `path` with extra headers.
pub(crate) async fn get_with(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> TestResponse {
    let mut req = Request::get(path);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    app.send(req.body(Body::empty()).expect("request")).await
}

/// Loads a Turtle text (relative IRIs) into a store, as `bibia load` does.
pub(crate) fn load_ttl(store: &TestStore, name: &str, ttl: &str) {
    let quads = bibia::rdf::parse(
        std::path::Path::new(name),
        oxigraph::io::RdfFormat::Turtle,
        ttl.as_bytes(),
        common::BASE,
    )
    .expect("the test's Turtle parses");
    store
        .stores
        .load(
            vec![bibia::store::Batch {
                name: name.into(),
                quads,
                text: Some(ttl.to_owned()),
            }],
            |_| (),
        )
        .expect("the test's data loads");
}

/// The text of a page's `<main>`, tags removed and entities decoded (what
/// a reader sees).
pub(crate) fn page_text(r: &TestResponse) -> String {
    let html = r.text();
    let main = html
        .split("<main")
        .nth(1)
        .and_then(|s| s.split("</main>").next())
        .unwrap_or(&html)
        .to_owned();
    readable(&main)
}

/// The text of an HTML fragment as a reader sees it: tags removed (each
/// one a space), entities decoded, whitespace collapsed.
pub(crate) fn readable(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    decode(&out)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The rows of a figures table's body (`<tbody>…</tbody>`): the link of
/// each row's heading and the number of its first cell after it.
pub(crate) fn linked_counts(body: &str) -> Vec<(String, usize)> {
    body.split("<th scope=\"row\"><a href=\"")
        .skip(1)
        .map(|row| {
            let href = row.split('"').next().expect("href").to_owned();
            let count = row
                .split("<td>")
                .nth(1)
                .and_then(|c| c.split("</td>").next())
                .and_then(|c| c.parse().ok())
                .expect("a count");
            (href, count)
        })
        .collect()
}

/// Decodes the character references askama writes (`&#60;`, `&amp;`…).
pub(crate) fn decode(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest.find(';').filter(|e| *e <= 8);
        let decoded = end.and_then(|e| {
            let entity = &rest[1..e];
            let c = match entity {
                "amp" => '&',
                "lt" => '<',
                "gt" => '>',
                "quot" => '"',
                "apos" => '\'',
                _ => {
                    let n = entity.strip_prefix('#')?;
                    let code = match n.strip_prefix('x') {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => n.parse().ok()?,
                    };
                    char::from_u32(code)?
                }
            };
            Some((c, e + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

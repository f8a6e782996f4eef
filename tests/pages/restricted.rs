//! No restricted value on any page, list, download or data document of the
//! demo: every record of every kind is opened (its page, its Turtle and
//! JSON-LD), with the home page, every page of every list and their CSV
//! and Turtle downloads, the catalogue, the VoID description, the sitemap,
//! the network's CSV export and the dumps, and none holds a value that only
//! a restricted property carries in the full store, nor shows a restricted
//! field.

use super::{app, page_text};
use crate::common;
use axum::http::StatusCode;
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{Quad, Term};
use std::collections::HashSet;

fn export(full: bool) -> Vec<Quad> {
    let bytes = common::demo()
        .stores
        .export(RdfFormat::NQuads, full, Vec::new())
        .expect("export");
    RdfParser::from_format(RdfFormat::NQuads)
        .for_slice(&bytes)
        .map(|q| q.expect("parses"))
        .collect()
}

fn text_of(term: &Term) -> Option<String> {
    match term {
        Term::Literal(l) => Some(l.value().to_owned()),
        Term::NamedNode(n) => Some(n.as_str().to_owned()),
        _ => None,
    }
}

/// The values of the demo that only restricted properties carry (not
/// concepts: a budget band is a public value of its own list), long enough
/// to be telling, and found in no public value: what no public surface may
/// show.
pub(crate) fn secrets() -> HashSet<String> {
    let stores = &common::demo().stores;
    let restricted: HashSet<_> = stores.model().policy.restricted().cloned().collect();
    let public: HashSet<String> = export(false)
        .iter()
        .flat_map(|q| [Term::from(q.subject.clone()), q.object.clone()])
        .filter_map(|t| text_of(&t))
        .collect();
    // Values only restricted properties carry (not concepts: a budget band
    // is a public value of its own list), long enough to be telling.
    let long_public: Vec<&String> = public.iter().filter(|v| v.len() >= 12).collect();
    let secrets: HashSet<String> = export(true)
        .iter()
        .filter(|q| restricted.contains(&q.predicate))
        .filter_map(|q| text_of(&q.object))
        .filter(|v| v.len() >= 12 && !v.contains("/id/concept/"))
        // A value also found in a public one (an algorithm named like its
        // project's title) is public there.
        .filter(|v| !long_public.iter().any(|p| p.contains(v.as_str())))
        .collect();
    assert!(
        secrets.len() > 100,
        "the demo has restricted values: {}",
        secrets.len()
    );
    secrets
}

#[tokio::test]
async fn no_restricted_value_reaches_a_page_a_list_or_a_document() {
    let _turn = crate::common::TIMING.lock().await;
    let stores = &common::demo().stores;
    let policy = &stores.model().policy;
    let restricted: HashSet<_> = policy.restricted().cloned().collect();
    let secrets = secrets();
    let secret_fields: Vec<String> = restricted
        .iter()
        .filter_map(|p| stores.public().label(p.as_ref()).ok().flatten())
        .map(|l| {
            let mut c = l.chars();
            let first = c
                .next()
                .map(|f| f.to_uppercase().collect::<String>())
                .unwrap_or_default();
            format!("<dt>{first}{}</dt>", c.as_str())
        })
        .collect();

    let app = app();
    let mut paths: Vec<String> = vec!["/".into()];
    for kind in ["projets", "organisations", "solutions", "ressources"] {
        paths.push(format!("/{kind}.csv"));
        paths.push(format!("/{kind}.ttl"));
        for page in 1..=3 {
            paths.push(format!("/{kind}?page={page}"));
        }
        let csv = app.get(&format!("/{kind}.csv"), None).await;
        let mut reader = csv::Reader::from_reader(csv.body.as_slice());
        for row in reader.records() {
            let iri = row.expect("row")[0].to_owned();
            let rel = iri
                .strip_prefix(&format!("{}id/", common::BASE))
                .expect("our IRI");
            paths.push(format!("/page/{rel}"));
            paths.push(format!("/data/{rel}.ttl"));
            paths.push(format!("/data/{rel}.jsonld"));
        }
    }
    for concept in [
        "budget/de-50k-a-100k",
        "theme/mobilites",
        "risque-ia/risque-limite",
    ] {
        paths.push(format!("/page/concept/{concept}"));
    }
    // What harvesters and other tools take.
    for path in [
        "/catalog",
        "/catalog.jsonld",
        "/.well-known/void",
        "/sitemap.xml",
        "/export/projets.csv",
        "/dumps/",
        "/statistiques",
        "/carte",
        "/carte?niveau=regions",
    ] {
        paths.push(path.to_owned());
    }
    assert!(paths.len() > 400, "{} paths", paths.len());
    for path in &paths {
        let r = app.get(path, None).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        let body = r.text();
        let readable = page_text(&r);
        for secret in &secrets {
            assert!(
                !body.contains(secret.as_str()) && !readable.contains(secret.as_str()),
                "{path} shows a restricted value: {secret}"
            );
        }
        for field in &secret_fields {
            assert!(
                !body.contains(field.as_str()),
                "{path} shows the restricted field {field}"
            );
        }
    }
}

#[tokio::test]
async fn no_restricted_property_or_value_is_in_a_dump() {
    let stores = &common::demo().stores;
    let restricted: HashSet<_> = stores.model().policy.restricted().cloned().collect();
    let secrets = secrets();
    let app = app();
    for (name, format) in [
        ("bibia.nq.gz", RdfFormat::NQuads),
        ("bibia.ttl.gz", RdfFormat::Turtle),
    ] {
        let r = app.get(&format!("/dumps/{name}"), None).await;
        assert_eq!(r.status, StatusCode::OK, "{name}");
        let mut text = String::new();
        std::io::Read::read_to_string(
            &mut flate2::read::GzDecoder::new(r.body.as_slice()),
            &mut text,
        )
        .expect("gzipped UTF-8");
        let quads: Vec<Quad> = RdfParser::from_format(format)
            .for_slice(text.as_bytes())
            .map(|q| q.expect("parses"))
            .collect();
        assert!(quads.len() > 1000, "{name}");
        for q in &quads {
            assert!(
                !restricted.contains(&q.predicate),
                "{name} holds the restricted property {}",
                q.predicate
            );
        }
        for secret in &secrets {
            assert!(
                !text.contains(secret.as_str()),
                "{name} holds a restricted value: {secret}"
            );
        }
    }
}

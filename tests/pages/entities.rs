//! `/id`, `/page` and `/data`: the redirects by `Accept`, the four data
//! documents, the HTTP validators (ETag, Last-Modified, 304), gzip,
//! `Link`, CORS and `HEAD`, the 404/410/301 answers, escaping, and a page
//! that follows a load made while serving.

use super::{LYON, app, get_with, load_ttl, page_text};
use crate::common::{BASE, TestApp, TestStore};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{NamedNode, Term, Triple};

fn parse(format: RdfFormat, body: &[u8]) -> Vec<Triple> {
    RdfParser::from_format(format)
        .for_slice(body)
        .map(|q| q.expect("the document parses").into())
        .collect()
}

#[tokio::test]
async fn id_answers_303_to_the_representation_the_client_accepts() {
    let app = app();
    let id = format!("/id/{LYON}");
    let browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
    let cases: [(Option<&str>, &str); 10] = [
        (None, ".ttl"),
        (Some("*/*"), ".ttl"),
        (Some(browser), "page"),
        (Some("text/html"), "page"),
        (Some("text/turtle"), ".ttl"),
        (Some("application/n-triples"), ".nt"),
        (Some("application/ld+json"), ".jsonld"),
        (Some("application/rdf+xml"), ".rdf"),
        (Some("text/turtle;q=0.5, text/html;q=0.9"), "page"),
        (
            Some("application/ld+json;q=0.2, application/rdf+xml"),
            ".rdf",
        ),
    ];
    for (accept, wanted) in cases {
        let r = app.get(&id, accept).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "Accept {accept:?}");
        let location = r.header("location").expect("Location");
        let expected = if wanted == "page" {
            format!("/page/{LYON}")
        } else {
            format!("/data/{LYON}{wanted}")
        };
        assert_eq!(location, expected, "Accept {accept:?}");
        assert!(
            r.header("vary").is_some_and(|v| v.contains("Accept")),
            "Vary: Accept"
        );
    }
    let none = app.get(&id, Some("image/png")).await;
    assert_eq!(none.status, StatusCode::NOT_ACCEPTABLE);
    assert!(none.text().contains("Erreur 406"), "{}", none.text());
}

#[tokio::test]
async fn every_data_document_holds_the_record_its_labels_and_its_topic() {
    let app = app();
    let thing = NamedNode::new_unchecked(format!("{BASE}id/{LYON}"));
    for (suffix, format, media) in [
        ("ttl", RdfFormat::Turtle, "text/turtle; charset=utf-8"),
        ("nt", RdfFormat::NTriples, "application/n-triples"),
        (
            "jsonld",
            RdfFormat::JsonLd {
                profile: oxigraph::io::JsonLdProfileSet::empty(),
            },
            "application/ld+json",
        ),
        ("rdf", RdfFormat::RdfXml, "application/rdf+xml"),
    ] {
        let r = app.get(&format!("/data/{LYON}.{suffix}"), None).await;
        assert_eq!(r.status, StatusCode::OK, "{suffix}");
        assert!(
            r.header("content-type")
                .is_some_and(|c| c.starts_with(media)),
            "{suffix}: {:?}",
            r.header("content-type")
        );
        let triples = parse(format, &r.body);
        let doc = NamedNode::new_unchecked(format!("{BASE}data/{LYON}.{suffix}"));
        assert!(
            triples.iter().any(|t| t.subject == doc.clone().into()
                && t.predicate.as_str() == "http://xmlns.com/foaf/0.1/primaryTopic"
                && t.object == Term::from(thing.clone())),
            "{suffix}: foaf:primaryTopic"
        );
        assert!(
            triples.iter().any(|t| t.subject == thing.clone().into()
                && matches!(&t.object, Term::Literal(l) if l.value() == "Chatbot déchets")),
            "{suffix}: the title"
        );
        assert!(
            triples.iter().any(|t| t.predicate.as_str()
                == "http://www.w3.org/2000/01/rdf-schema#label"
                && matches!(&t.object, Term::Literal(l) if l.value() == "Métropole de Lyon")),
            "{suffix}: the label of the organisation it links to"
        );
        assert!(
            triples
                .iter()
                .any(|t| t.subject.to_string().ends_with("#algorithme>")),
            "{suffix}: the algorithm record (a hash IRI) comes with its record"
        );
        let link = r.header("link").expect("Link");
        assert!(
            link.contains("rel=\"license\"") && link.contains(".jsonld>"),
            "{link}"
        );
        assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    }
}

#[tokio::test]
async fn etags_come_from_the_content_and_answer_304() {
    let app = app();
    let doc = format!("/data/{LYON}.ttl");
    let first = app.get(&doc, None).await;
    let etag = first.header("etag").expect("ETag").to_owned();
    assert!(
        etag.starts_with('"') && !etag.starts_with("W/"),
        "strong: {etag}"
    );
    let again = app.get(&doc, None).await;
    assert_eq!(again.header("etag"), Some(etag.as_str()), "stable");
    let other = app.get(&format!("/data/{LYON}.nt"), None).await;
    assert_ne!(other.header("etag"), Some(etag.as_str()), "one per format");

    let conditional = get_with(&app, &doc, &[("if-none-match", &etag)]).await;
    assert_eq!(conditional.status, StatusCode::NOT_MODIFIED);
    assert!(conditional.body.is_empty());
    let modified = first
        .header("last-modified")
        .expect("Last-Modified")
        .to_owned();
    let since = get_with(&app, &doc, &[("if-modified-since", &modified)]).await;
    assert_eq!(since.status, StatusCode::NOT_MODIFIED);
    let old = get_with(
        &app,
        &doc,
        &[("if-modified-since", "Mon, 01 Jan 2001 00:00:00 GMT")],
    )
    .await;
    assert_eq!(old.status, StatusCode::OK);

    let page = format!("/page/{LYON}");
    let zipped = get_with(&app, &page, &[("accept-encoding", "gzip")]).await;
    assert_eq!(zipped.header("content-encoding"), Some("gzip"));
    let zipped_tag = zipped.header("etag").expect("ETag").to_owned();
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(zipped.body.as_slice()),
        &mut text,
    )
    .expect("gzip");
    assert!(text.contains("Chatbot déchets"));
    let plain = app.get(&page, None).await;
    assert_ne!(
        plain.header("etag"),
        Some(zipped_tag.as_str()),
        "one per encoding"
    );
    let revalidated = get_with(
        &app,
        &page,
        &[("accept-encoding", "gzip"), ("if-none-match", &zipped_tag)],
    )
    .await;
    assert_eq!(revalidated.status, StatusCode::NOT_MODIFIED);
}

#[tokio::test]
async fn the_etag_of_a_record_is_the_same_in_another_store_with_the_same_data() {
    // Another store loaded from the same files: other blank-node labels,
    // another load; the same content.
    let other = TestStore::with_demo();
    let (a, b) = (app(), TestApp::with_limits(&other, Default::default()));
    for path in [
        format!("/data/{LYON}.ttl"),
        format!("/page/{LYON}"),
        "/page/organisation/metropole-de-lyon".to_owned(),
    ] {
        let (x, y) = (a.get(&path, None).await, b.get(&path, None).await);
        assert_eq!(x.status, StatusCode::OK);
        assert_eq!(x.header("etag"), y.header("etag"), "{path}");
    }
}

#[tokio::test]
async fn head_answers_the_headers_without_the_body() {
    let app = app();
    for path in [
        format!("/page/{LYON}"),
        format!("/data/{LYON}.ttl"),
        "/projets".to_owned(),
        "/".to_owned(),
    ] {
        let r = app
            .send(Request::head(&path).body(Body::empty()).expect("request"))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert!(r.header("etag").is_some(), "{path}");
        assert!(r.body.is_empty(), "{path}");
    }
}

#[tokio::test]
async fn the_use_case_page_shows_its_groups_links_and_alternates() {
    let app = app();
    let r = app.get(&format!("/page/{LYON}"), Some("text/html")).await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    for needle in [
        "<html lang=\"fr\">",
        "<h1>Chatbot déchets</h1>",
        "Données fictives",
        "<h2>Informations générales</h2>",
        "<h3>Évaluation</h3>",
        "<h3>Transparence</h3>",
        "id=\"algorithme\"",
        "href=\"/page/organisation/metropole-de-lyon\"",
        "href=\"/page/solution/civitalis-agent-conversationnel\"",
        "href=\"/page/concept/theme/transition-ecologique-et-energetique\"",
        "rel=\"alternate\" type=\"text/turtle\"",
        "href=\"/signaler?page=http%3A%2F%2Flocalhost%3A8080%2Fid%2Fprojet%2Fmetropole-de-lyon-chatbot-dechets\"",
        "href=\"/historique/projet/metropole-de-lyon-chatbot-dechets\"",
    ] {
        assert!(html.contains(needle), "missing {needle}");
    }
    let json = html
        .split("<script type=\"application/ld+json\">")
        .nth(1)
        .and_then(|s| s.split("</script>").next())
        .expect("JSON-LD block");
    let v: serde_json::Value = serde_json::from_str(json).expect("JSON-LD parses");
    assert_eq!(v["@type"], "Project");
    assert_eq!(v["name"], "Chatbot déchets");
    assert_eq!(v["sponsor"]["name"], "Métropole de Lyon");
}

#[tokio::test]
async fn pages_of_every_kind_list_what_links_to_them() {
    let app = app();
    let cases = [
        (
            "/page/organisation/metropole-de-lyon",
            "Projets portés",
            "Chatbot déchets",
        ),
        (
            "/page/solution/civitalis-agent-conversationnel",
            "Projets qui l",
            "Chatbot déchets",
        ),
        (
            "/page/territoire/region-84",
            "Départements de ce territoire",
            "Rhône",
        ),
        (
            "/page/territoire/departement-69",
            "Communes de ce territoire",
            "Albigny-sur-Saône",
        ),
        (
            "/page/concept/theme/transition-ecologique-et-energetique",
            "projets (liste filtrée)",
            "Chatbot déchets",
        ),
        (
            "/page/concept/theme",
            "Concepts de cette liste",
            "Mobilités",
        ),
        (
            "/page/ressource/code-source-canopee",
            "Licence",
            "GPL-3.0-or-later",
        ),
    ];
    for (path, heading, item) in cases {
        let text = page_text(&app.get(path, None).await);
        assert!(text.contains(heading), "{path}: no « {heading} » in {text}");
        assert!(text.contains(item), "{path}: no « {item} »");
    }
}

#[tokio::test]
async fn unknown_withdrawn_and_moved_records() {
    let store = TestStore::with_demo();
    load_ttl(
        &store,
        "retraits.ttl",
        "@prefix bia: <https://w3id.org/bibia/def#> . @prefix dcterms: <http://purl.org/dc/terms/> .\n\
         </id/projet/ancien-chatbot> a bia:WithdrawnRecord ; dcterms:isReplacedBy </id/projet/metropole-de-lyon-chatbot-dechets> .\n\
         </id/projet/projet-retire> a bia:WithdrawnRecord ; dcterms:description \"Retiré à la demande de la collectivité.\"@fr .\n",
    );
    let app = TestApp::with_limits(&store, Default::default());

    let typo = app
        .get("/page/projet/metropole-de-lyon-chatbot-dechet", None)
        .await;
    assert_eq!(typo.status, StatusCode::NOT_FOUND);
    assert!(
        typo.text().contains(&format!("href=\"/page/{LYON}\"")),
        "the 404 suggests the close slug"
    );
    let nowhere = app.get("/nulle-part/ici", None).await;
    assert_eq!(nowhere.status, StatusCode::NOT_FOUND);
    assert!(nowhere.text().contains("Page introuvable"));

    for (path, location) in [
        ("/id/projet/ancien-chatbot", format!("{BASE}id/{LYON}")),
        ("/page/projet/ancien-chatbot", format!("/page/{LYON}")),
        (
            "/data/projet/ancien-chatbot.ttl",
            format!("/data/{LYON}.ttl"),
        ),
    ] {
        let r = app.get(path, None).await;
        assert_eq!(r.status, StatusCode::MOVED_PERMANENTLY, "{path}");
        assert_eq!(r.header("location"), Some(location.as_str()), "{path}");
    }
    for path in [
        "/id/projet/projet-retire",
        "/page/projet/projet-retire",
        "/data/projet/projet-retire.nt",
    ] {
        let r = app.get(path, None).await;
        assert_eq!(r.status, StatusCode::GONE, "{path}");
        assert!(r.text().contains("Retiré à la demande de la collectivité."));
    }
}

#[tokio::test]
async fn values_are_escaped_and_a_load_while_serving_shows_at_once() {
    let store = TestStore::with_demo();
    let app = TestApp::with_limits(&store, Default::default());
    let path = format!("/page/{LYON}");
    let before = app.get(&path, None).await;
    assert!(before.text().contains("<h1>Chatbot déchets</h1>"));
    let etag = before.header("etag").expect("ETag").to_owned();
    let list = page_text(&app.get("/projets?region=region-84", None).await);
    assert!(list.contains("Chatbot déchets"));

    // The same record with a title full of markup, loaded while serving.
    let demo = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/demo/projets.ttl"
    ))
    .expect("demo file");
    let start = demo
        .find("# --- Métropole de Lyon — Chatbot")
        .expect("Lyon block");
    let end = start + 1 + demo[start + 1..].find("\n# ---").expect("next block");
    let prefixes: String = demo
        .lines()
        .filter(|l| l.starts_with("@prefix"))
        .collect::<Vec<_>>()
        .join("\n");
    let record = demo[start..end].replace(
        "dcterms:title \"Chatbot déchets\"@fr",
        "dcterms:title \"<script>alert('x')</script> & <b>Chatbot</b>\"@fr",
    );
    load_ttl(&store, "titre.ttl", &format!("{prefixes}\n{record}"));

    let after = app.get(&path, None).await;
    let html = after.text();
    let title = "<script>alert('x')</script> & <b>Chatbot</b>";
    assert!(
        page_text(&after).contains(title),
        "the title is shown as text: {}",
        html.lines()
            .find(|l| l.contains("<h1>"))
            .unwrap_or_default()
    );
    assert!(!html.contains("<script>alert"), "no markup from the data");
    assert!(!html.contains("<b>Chatbot"), "no markup from the data");
    assert_ne!(after.header("etag"), Some(etag.as_str()), "a new ETag");
    let stale = get_with(&app, &path, &[("if-none-match", &etag)]).await;
    assert_eq!(
        stale.status,
        StatusCode::OK,
        "the old ETag no longer matches"
    );
    let list = app.get("/projets?region=region-84", None).await;
    assert!(page_text(&list).contains(title), "the list follows too");
    assert!(!list.text().contains("<b>Chatbot"));
}

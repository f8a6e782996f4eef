//! `/def`, `/vocab` and `/shapes`: the model documented for people and
//! published as RDF, judged against the files of the repository
//! (`ontology/`, `ontology/vocabularies/`, `shapes/`) read by the test
//! itself: every `bia:` term of the ontology has its anchor on `/def`, a
//! restricted property says « Restreint », a required field « obligatoire »,
//! the RDF is the bundled files, each list shows every value with its other
//! spellings.

use crate::common::{self, TestApp, TestResponse};
use crate::pages::readable;
use axum::http::StatusCode;
use oxigraph::io::{JsonLdProfileSet, RdfFormat, RdfParser};
use oxrdf::graph::{CanonicalizationAlgorithm, CanonicalizationHashAlgorithm};
use oxrdf::{Graph, NamedOrBlankNode, Term, Triple};
use std::collections::{BTreeSet, HashSet};
use std::path::Path;

const BIA: &str = "https://w3id.org/bibia/def#";
const SKOS: &str = "http://www.w3.org/2004/02/skos/core#";
/// What Chromium and Firefox send when they open a page.
const BROWSER: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

fn app() -> TestApp {
    TestApp::demo()
}

/// The triples of a file of the repository, relative IRIs resolved against
/// the tests' base (as the service bundles them).
fn file(relative: &str) -> Vec<Triple> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    let text = std::fs::read(&path).expect("the file is there");
    parse(&text, RdfFormat::Turtle)
}

fn parse(body: &[u8], format: RdfFormat) -> Vec<Triple> {
    RdfParser::from_format(format)
        .with_base_iri(common::BASE)
        .expect("base")
        .for_slice(body)
        .map(|q| q.expect("the document parses").into())
        .collect()
}

/// The graph, blank nodes renamed canonically (RDFC-1.0), to compare two
/// graphs up to their blank node names.
fn canonical(triples: &[Triple]) -> Graph {
    let mut graph: Graph = triples.iter().collect();
    graph.canonicalize(CanonicalizationAlgorithm::Rdfc10 {
        hash_algorithm: CanonicalizationHashAlgorithm::Sha256,
    });
    graph
}

/// The `bia:` terms the ontology declares: the local names of its `bia:`
/// subjects.
fn declared_terms() -> BTreeSet<String> {
    file("ontology/bibia.ttl")
        .iter()
        .filter_map(|t| match &t.subject {
            NamedOrBlankNode::NamedNode(n) => n.as_str().strip_prefix(BIA).map(str::to_owned),
            NamedOrBlankNode::BlankNode(_) => None,
        })
        .collect()
}

/// The text a reader sees of the element with this `id`, up to the next
/// term's section (a `<section>` or a table row).
fn part(r: &TestResponse, id: &str) -> String {
    let html = r.text();
    let at = html
        .find(&format!(" id=\"{id}\""))
        .unwrap_or_else(|| panic!("no element with id=\"{id}\""));
    let start = html[..at].rfind('<').unwrap_or(at);
    let rest = &html[start..];
    let end = ["<section", "</tr>"]
        .iter()
        .filter_map(|m| rest[1..].find(m))
        .min()
        .unwrap_or(rest.len() - 1);
    readable(&rest[..=end])
}

async fn def_page(app: &TestApp) -> TestResponse {
    let r = app.get("/def", Some(BROWSER)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    r
}

#[tokio::test]
async fn every_bia_term_of_the_ontology_has_its_anchor_on_def() {
    let app = app();
    let r = def_page(&app).await;
    let html = r.text();
    let terms = declared_terms();
    assert!(terms.len() > 60, "the ontology declares {terms:?}");
    let missing: Vec<&String> = terms
        .iter()
        .filter(|t| !html.contains(&format!(" id=\"{t}\"")))
        .collect();
    assert!(missing.is_empty(), "no anchor on /def for {missing:?}");
    // The section of a term says what it is, in French.
    let use_case = part(&r, "UseCase");
    assert!(
        use_case.starts_with("Projet (cas d'usage d'IA) classe"),
        "{use_case}"
    );
    assert!(use_case.contains("https://w3id.org/bibia/def#UseCase"));
}

#[tokio::test]
async fn a_restricted_property_is_marked_restreint_and_a_public_one_public() {
    let app = app();
    let r = def_page(&app).await;
    let restricted: Vec<String> = file("ontology/bibia.ttl")
        .iter()
        .filter(|t| t.predicate.as_str() == format!("{BIA}accessLevel"))
        .filter(|t| t.object.to_string() == format!("<{BIA}restreint>"))
        .filter_map(|t| match &t.subject {
            NamedOrBlankNode::NamedNode(n) => n.as_str().strip_prefix(BIA).map(str::to_owned),
            NamedOrBlankNode::BlankNode(_) => None,
        })
        .collect();
    assert!(restricted.contains(&"fundingSource".to_owned()));
    for p in &restricted {
        let text = part(&r, p);
        assert!(text.contains("Accès : Restreint"), "{p}: {text}");
    }
    let led_by = part(&r, "ledBy");
    assert!(led_by.contains("Accès : Public"), "{led_by}");
    assert!(!led_by.contains("Restreint"), "{led_by}");
    // A reused property keeps its level: the contact of a project.
    let contact = part(&r, "dcat-contactPoint");
    assert!(contact.contains("Accès : Restreint"), "{contact}");
    // In the fields of a project too.
    let row = part(&r, "UseCaseShape-budgetBand");
    assert!(row.ends_with("Restreint"), "{row}");
}

#[tokio::test]
async fn a_required_field_says_obligatoire_and_the_other_constraints_in_words() {
    let app = app();
    let r = def_page(&app).await;
    let title = part(&r, "UseCaseShape-title");
    assert!(
        title.contains("obligatoire une seule valeur un texte avec sa langue"),
        "{title}"
    );
    let start = part(&r, "UseCaseShape-startDate");
    assert!(
        start.contains("une date (AAAA-MM-JJ), un mois (AAAA-MM) ou une année (AAAA)"),
        "{start}"
    );
    let theme = part(&r, "UseCaseShape-theme");
    assert!(
        theme.contains("une valeur de la liste Thèmes de politique publique"),
        "{theme}"
    );
    assert!(r.text().contains("<a href=\"/vocab/theme\">"));
    let siret = part(&r, "OrganisationShape-siret");
    assert!(siret.contains("de la forme ^[0-9]{14}$"), "{siret}");
    assert!(siret.contains("clé de contrôle (Luhn) juste"), "{siret}");
    let latitude = part(&r, "UseCaseShape-lat");
    assert!(latitude.contains("entre -90 et 90"), "{latitude}");
    let optional = part(&r, "UseCaseShape-subTheme");
    assert!(!optional.contains("obligatoire"), "{optional}");
    // The property's own section lists the classes that constrain it.
    let led_by = part(&r, "ledBy");
    assert!(
        led_by.contains("Sur une fiche de type Projet (cas d'usage d'IA) obligatoire une seule valeur une fiche de type Organisation"),
        "{led_by}"
    );
}

#[tokio::test]
async fn def_without_accept_is_the_bundled_ontology_in_turtle() {
    let app = app();
    let expected: HashSet<Triple> = file("ontology/bibia.ttl").into_iter().collect();
    for accept in [None, Some("*/*")] {
        let r = app.get("/def", accept).await;
        assert_eq!(r.status, StatusCode::OK, "{accept:?}");
        assert_eq!(r.header("content-type"), Some("text/turtle; charset=utf-8"));
        assert!(r.header("vary").is_some_and(|v| v.contains("Accept")));
        let served: HashSet<Triple> = parse(&r.body, RdfFormat::Turtle).into_iter().collect();
        assert_eq!(served, expected, "Accept: {accept:?}");
    }
    for (path, format) in [
        ("/def.ttl", RdfFormat::Turtle),
        ("/def.nt", RdfFormat::NTriples),
        (
            "/def.jsonld",
            RdfFormat::JsonLd {
                profile: JsonLdProfileSet::empty(),
            },
        ),
        ("/def.rdf", RdfFormat::RdfXml),
    ] {
        let r = app.get(path, None).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert!(
            r.header("content-type")
                .is_some_and(|c| c.starts_with(format.media_type())),
            "{path}: {:?}",
            r.header("content-type")
        );
        let served: HashSet<Triple> = parse(&r.body, format).into_iter().collect();
        assert_eq!(served, expected, "{path}");
    }
    let r = app.get("/def", Some("application/rdf+xml")).await;
    assert_eq!(
        r.header("content-type"),
        Some("application/rdf+xml; charset=utf-8")
    );
    // Kept in the page cache, with its validator.
    let first = app.get("/def", Some(BROWSER)).await;
    let etag = first.header("etag").expect("an ETag").to_owned();
    let again = crate::pages::get_with(
        &app,
        "/def",
        &[("accept", BROWSER), ("if-none-match", &etag)],
    )
    .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
}

#[tokio::test]
async fn a_list_shows_every_value_with_its_other_spellings() {
    let app = app();
    for scheme in ["audience", "statut", "risque-ia"] {
        let triples = file(&format!("ontology/vocabularies/{scheme}.ttl"));
        let scheme_iri = format!("{}id/concept/{scheme}", common::BASE);
        let concepts: Vec<&NamedOrBlankNode> = triples
            .iter()
            .filter(|t| {
                t.predicate.as_str() == format!("{SKOS}inScheme")
                    && t.object.to_string() == format!("<{scheme_iri}>")
            })
            .map(|t| &t.subject)
            .collect();
        assert!(concepts.len() >= 3, "{scheme}");
        let r = app.get(&format!("/vocab/{scheme}"), Some(BROWSER)).await;
        assert_eq!(r.status, StatusCode::OK, "{scheme}");
        assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
        for c in concepts {
            let values = |local: &str| -> Vec<String> {
                triples
                    .iter()
                    .filter(|t| &t.subject == c && t.predicate.as_str() == format!("{SKOS}{local}"))
                    .filter_map(|t| match &t.object {
                        Term::Literal(l) => Some(l.value().to_owned()),
                        _ => None,
                    })
                    .collect()
            };
            let notation = values("notation").pop().expect("a notation");
            let text = part(&r, &notation);
            for label in values("prefLabel").into_iter().chain(values("altLabel")) {
                assert!(
                    text.contains(&label),
                    "{scheme}#{notation}: « {label} » in {text}"
                );
            }
        }
        // The list as a thing of the library, and back.
        assert!(
            r.text()
                .contains(&format!("href=\"/page/concept/{scheme}\""))
        );
        let thing = app
            .get(&format!("/page/concept/{scheme}"), Some(BROWSER))
            .await;
        assert!(thing.text().contains(&format!("href=\"/vocab/{scheme}\"")));
        // Its RDF is the file's.
        let ttl = app.get(&format!("/vocab/{scheme}.ttl"), None).await;
        assert_eq!(
            ttl.header("content-type"),
            Some("text/turtle; charset=utf-8")
        );
        let served: HashSet<Triple> = parse(&ttl.body, RdfFormat::Turtle).into_iter().collect();
        let expected: HashSet<Triple> = triples.iter().cloned().collect();
        assert_eq!(served, expected, "{scheme}");
        let negotiated = app.get(&format!("/vocab/{scheme}"), None).await;
        assert_eq!(negotiated.body, ttl.body);
    }
    let risk = app.get("/vocab/risque-ia", Some(BROWSER)).await;
    let high = part(&risk, "risque-eleve");
    assert!(
        high.contains(
            "Correspondance (équivalent exact) https://w3id.org/dpv/legal/eu/aiact#RiskLevelHigh"
        ),
        "{high}"
    );
    let sub = app.get("/vocab/sous-theme", Some(BROWSER)).await;
    let energy = part(&sub, "performance-energetique");
    assert!(
        energy.contains("Plus large Transition écologique et énergétique"),
        "{energy}"
    );
}

#[tokio::test]
async fn vocab_lists_the_schemes_and_an_unknown_one_is_the_404_page() {
    let app = app();
    let files =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("ontology/vocabularies"))
            .expect("the vocabularies")
            .filter_map(Result::ok)
            .filter(|e| e.path().extension().is_some_and(|x| x == "ttl"))
            .count();
    for path in ["/vocab", "/vocab/"] {
        let r = app.get(path, Some(BROWSER)).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert_eq!(r.text().matches("href=\"/vocab/").count(), files, "{path}");
    }
    for path in ["/vocab/inconnu", "/vocab/theme.xyz", "/vocab/inconnu.ttl"] {
        let r = app.get(path, Some(BROWSER)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert!(r.text().contains("Page introuvable"), "{path}");
    }
}

#[tokio::test]
async fn shapes_are_the_bundled_shapes_in_turtle() {
    let app = app();
    let expected = file("shapes/bibia.shapes.ttl");
    let r = app.get("/shapes", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("content-type"), Some("text/turtle; charset=utf-8"));
    let served = parse(&r.body, RdfFormat::Turtle);
    assert_eq!(canonical(&served), canonical(&expected));
    let shapes = |triples: &[Triple]| -> BTreeSet<String> {
        triples
            .iter()
            .filter(|t| {
                t.predicate.as_str() == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
                    && t.object
                        .to_string()
                        .starts_with("<http://www.w3.org/ns/shacl#")
                    && t.object.to_string().ends_with("Shape>")
            })
            .map(|t| t.subject.to_string())
            .collect()
    };
    assert!(shapes(&served).contains(&format!("<{BIA}UseCaseShape>")));
    assert_eq!(shapes(&served), shapes(&expected));
    for (path, format) in [
        ("/shapes.nt", RdfFormat::NTriples),
        ("/shapes.rdf", RdfFormat::RdfXml),
    ] {
        let r = app.get(path, None).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert_eq!(
            canonical(&parse(&r.body, format)),
            canonical(&expected),
            "{path}"
        );
    }
    // A person is sent to the page that documents them.
    let r = app.get("/shapes", Some(BROWSER)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.header("location"), Some("/def"));
}

//! `/catalog`: every page of the DCAT-AP 3 catalogue validates against the
//! official DCAT-AP 3.0.1 shapes (`../shared/conformance/dcat-ap-3/`, both
//! files) with bibia's own SHACL engine; what data.gouv.fr's harvester
//! needs is there; it is paged with Hydra past its page size; it holds no
//! restricted value.

use crate::common::{self, TestApp};
use axum::http::StatusCode;
use bibia::shacl::{DataGraph, Severity, Shapes};
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{Graph, Term, Triple};

fn triples(body: &[u8], format: RdfFormat) -> Vec<Triple> {
    RdfParser::from_format(format)
        .for_slice(body)
        .map(|q| q.expect("the catalogue parses").into())
        .collect()
}

fn objects<'a>(triples: &'a [Triple], predicate: &str) -> Vec<&'a Term> {
    triples
        .iter()
        .filter(|t| t.predicate.as_str() == predicate)
        .map(|t| &t.object)
        .collect()
}

const DCAT: &str = "http://www.w3.org/ns/dcat#";
const DCT: &str = "http://purl.org/dc/terms/";
const HYDRA: &str = "http://www.w3.org/ns/hydra/core#";

/// Every page of the catalogue of an app, from `/catalog` following
/// `hydra:next`.
async fn pages(app: &TestApp) -> Vec<Vec<Triple>> {
    let mut out = Vec::new();
    let mut next = Some("/catalog".to_owned());
    while let Some(path) = next.take() {
        let r = app.get(&path, None).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert_eq!(r.header("content-type"), Some("text/turtle; charset=utf-8"));
        let page = triples(&r.body, RdfFormat::Turtle);
        next = objects(&page, &format!("{HYDRA}next"))
            .first()
            .map(|t| match t {
                Term::NamedNode(n) => n
                    .as_str()
                    .strip_prefix(common::BASE)
                    .map(|p| format!("/{p}"))
                    .expect("a page of this service"),
                other => panic!("hydra:next is an IRI, not {other}"),
            });
        out.push(page);
        assert!(out.len() < 50, "the paging ends");
    }
    out
}

#[tokio::test]
async fn every_page_of_the_catalogue_conforms_to_dcat_ap_3() {
    let Some(dir) = common::shared("conformance/dcat-ap-3") else {
        return;
    };
    let mut shapes = String::new();
    for file in ["dcat-ap-SHACL.ttl", "ranges.ttl"] {
        shapes.push_str(&std::fs::read_to_string(dir.join(file)).expect("DCAT-AP shapes"));
        shapes.push('\n');
    }
    let shapes = Shapes::from_turtle(&shapes, None).expect("the DCAT-AP shapes compile");
    let mut state = TestApp::state(common::demo(), Default::default());
    state.catalog_page_size = 3;
    let app = TestApp::serve_state(state, 64);
    let pages = pages(&app).await;
    assert!(pages.len() > 1, "a page size of 3 pages the catalogue");
    let mut datasets = std::collections::BTreeSet::new();
    for (i, page) in pages.iter().enumerate() {
        let graph: Graph = page.iter().collect();
        let report = shapes.validate(&DataGraph::from_graph(&graph));
        let violations: Vec<String> = report
            .results()
            .iter()
            .filter(|r| r.severity() == &Severity::Violation)
            .map(|r| format!("{r:?}"))
            .collect();
        assert!(violations.is_empty(), "page {}: {violations:#?}", i + 1);
        datasets.extend(
            objects(page, &format!("{DCAT}dataset"))
                .into_iter()
                .map(ToString::to_string),
        );
        // What data.gouv.fr's harvester reads.
        for t in page.iter().filter(|t| {
            t.predicate.as_str() == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
                && [format!("{DCAT}Dataset"), format!("{DCAT}DataService")]
                    .iter()
                    .any(|c| t.object.to_string() == format!("<{c}>"))
        }) {
            let about = |p: &str| {
                page.iter()
                    .filter(|x| x.subject == t.subject && x.predicate.as_str() == p)
                    .count()
            };
            assert_eq!(
                about(&format!("{DCT}identifier")),
                1,
                "{} identifier",
                t.subject
            );
            assert!(
                page.iter().any(|x| x.subject == t.subject
                    && x.predicate.as_str() == format!("{DCT}title")
                    && matches!(&x.object, Term::Literal(l) if l.language() == Some("fr"))),
                "{} French title",
                t.subject
            );
        }
        for d in objects(page, &format!("{DCAT}distribution")) {
            assert!(
                page.iter().any(|x| Term::from(x.subject.clone()) == *d
                    && x.predicate.as_str() == format!("{DCAT}accessURL")),
                "{d} has an accessURL"
            );
        }
        for t in objects(page, &format!("{DCT}temporal")) {
            assert!(t.is_blank_node(), "dct:temporal is a blank node");
        }
        if i + 1 < pages.len() {
            assert_eq!(objects(page, &format!("{HYDRA}nextPage")).len(), 1);
        }
    }
    let one = triples(
        &app.get("/catalog.ttl?page=1", None).await.body,
        RdfFormat::Turtle,
    );
    let total = objects(&one, &format!("{HYDRA}totalItems"));
    assert_eq!(
        total.first().map(|t| t.to_string()),
        Some(format!(
            "\"{}\"^^<http://www.w3.org/2001/XMLSchema#integer>",
            datasets.len()
        )),
        "every dataset is on one page"
    );
    let past = app
        .get(&format!("/catalog?page={}", pages.len() + 1), None)
        .await;
    assert_eq!(past.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_catalogue_answers_in_every_format_and_without_accept_in_turtle() {
    let app = TestApp::demo();
    let plain = app.get("/catalog", None).await;
    assert_eq!(
        plain.header("content-type"),
        Some("text/turtle; charset=utf-8")
    );
    let catalog = format!("<{}catalog>", common::BASE);
    for (path, accept, format) in [
        (
            "/catalog",
            Some("application/ld+json"),
            RdfFormat::JsonLd {
                profile: oxigraph::io::JsonLdProfileSet::empty(),
            },
        ),
        ("/catalog", Some("application/rdf+xml"), RdfFormat::RdfXml),
        ("/catalog.ttl", None, RdfFormat::Turtle),
        ("/catalog.nt", None, RdfFormat::NTriples),
        ("/catalog.rdf", None, RdfFormat::RdfXml),
        (
            "/catalog.jsonld",
            None,
            RdfFormat::JsonLd {
                profile: oxigraph::io::JsonLdProfileSet::empty(),
            },
        ),
    ] {
        let r = app.get(path, accept).await;
        assert_eq!(r.status, StatusCode::OK, "{path} {accept:?}");
        let t = triples(&r.body, format);
        assert!(
            t.iter().any(|t| t.subject.to_string() == catalog
                && t.object.to_string() == format!("<{DCAT}Catalog>")),
            "{path} {accept:?}: the catalogue"
        );
        let licence = objects(&t, &format!("{DCT}license"));
        assert!(
            licence
                .iter()
                .any(|l| l.to_string()
                    == "<https://www.etalab.gouv.fr/licence-ouverte-open-licence/>")
        );
    }
    let secrets = crate::pages::restricted::secrets();
    let body = plain.text();
    for s in &secrets {
        assert!(
            !body.contains(s.as_str()),
            "restricted value in the catalogue: {s}"
        );
    }
}

/// The second check: pySHACL (PyPI, `tests/clients/pyshacl_catalog.py`)
/// finds no violation either on any page. `scripts/test.sh` installs it;
/// without it the test is skipped outside CI and fails in CI.
#[tokio::test]
async fn pyshacl_agrees_that_every_page_conforms() {
    let Some(dir) = common::shared("conformance/dcat-ap-3") else {
        return;
    };
    let mut state = TestApp::state(common::demo(), Default::default());
    state.catalog_page_size = 3;
    let app = TestApp::serve_state(state, 64);
    let count = pages(&app).await.len();
    let folder = tempfile::tempdir().expect("temp dir");
    let mut files = Vec::new();
    for page in 1..=count {
        let r = app.get(&format!("/catalog?page={page}"), None).await;
        assert_eq!(r.status, StatusCode::OK);
        let file = folder.path().join(format!("page-{page}.ttl"));
        std::fs::write(&file, &r.body).expect("written");
        files.push(file);
    }
    let python = std::env::var("BIBIA_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/clients/pyshacl_catalog.py"
    );
    let ci = std::env::var_os("CI").is_some();
    let output = match std::process::Command::new(&python)
        .arg(script)
        .arg(&dir)
        .args(&files)
        .output()
    {
        Ok(o) => o,
        Err(e) if !ci => {
            println!("skipped: {python} not found ({e})");
            return;
        }
        Err(e) => panic!("{python} not found ({e}): scripts/test.sh installs pySHACL"),
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    if output.status.code() == Some(3) {
        assert!(!ci, "pySHACL missing in CI: {stdout}");
        println!("skipped: {stdout}");
        return;
    }
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("catalogue conforme pour pySHACL"),
        "{stdout}"
    );
    assert_eq!(stdout.matches(": conforme").count(), count, "{stdout}");
}

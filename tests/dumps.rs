//! `/dumps/` and `/.well-known/void`: the dumps parse and hold exactly the
//! public projection (isomorphic, blank nodes included), are served with
//! their validators and byte ranges, are made again after a write and
//! never leave a half-written file; the catalogue links them; the VoID
//! figures are the counts SPARQL gives on the same store.

use crate::common::{self, TestApp, TestStore};
use crate::pages::get_with;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{Dataset, Quad, Term, Triple};
use oxrdf::graph::{CanonicalizationAlgorithm, CanonicalizationHashAlgorithm};
use std::io::Read as _;

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("a gzip file");
    out
}

fn quads(bytes: &[u8], format: RdfFormat) -> Vec<Quad> {
    RdfParser::from_format(format)
        .for_slice(bytes)
        .map(|q| q.expect("the dump parses"))
        .collect()
}

/// Every quad of the projection, read with SPARQL (not through the
/// export code the dumps use).
fn projection(store: &TestStore) -> Vec<Quad> {
    let query = oxigraph::sparql::SparqlEvaluator::new()
        .parse_query("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        .expect("query");
    let oxigraph::sparql::QueryResults::Solutions(rows) =
        store.stores.public().execute(query).expect("runs")
    else {
        panic!("a SELECT")
    };
    rows.map(|row| {
        let row = row.expect("row");
        let node = |v: &str| row.get(v).cloned().expect("bound");
        let subject: oxigraph::model::NamedOrBlankNode = match node("s") {
            Term::NamedNode(n) => n.into(),
            Term::BlankNode(b) => b.into(),
            other => panic!("a subject, not {other}"),
        };
        let Term::NamedNode(predicate) = node("p") else {
            panic!("a predicate IRI")
        };
        let graph = match node("g") {
            Term::NamedNode(n) => n,
            other => panic!("a named graph, not {other}"),
        };
        Quad::new(subject, predicate, node("o"), graph)
    })
    .collect()
}

const RDFC_10: CanonicalizationAlgorithm = CanonicalizationAlgorithm::Rdfc10 {
    hash_algorithm: CanonicalizationHashAlgorithm::Sha256,
};

/// Whether two lists of quads are the same dataset: as sets when no
/// blank node is there (the demo has none, and canonicalizing 400,000
/// quads takes half a minute), else by their RDFC-1.0 canonical forms.
fn same_dataset(a: &[Quad], b: &[Quad]) -> bool {
    let blank = |q: &Quad| q.subject.is_blank_node() || q.object.is_blank_node();
    if a.iter().any(blank) || b.iter().any(blank) {
        return canonical_dataset(a) == canonical_dataset(b);
    }
    let a: std::collections::HashSet<&Quad> = a.iter().collect();
    let b: std::collections::HashSet<&Quad> = b.iter().collect();
    a == b
}

fn canonical_dataset(quads: &[Quad]) -> Dataset {
    let mut d: Dataset = quads.iter().collect();
    d.canonicalize(RDFC_10);
    d
}

#[tokio::test]
async fn the_dumps_hold_exactly_the_public_projection() {
    let store = common::demo();
    let app = TestApp::demo();
    let expected = projection(store);
    assert!(expected.len() > 1000, "{} public quads", expected.len());

    let nq = app.get("/dumps/bibia.nq.gz", None).await;
    assert_eq!(nq.status, StatusCode::OK);
    assert_eq!(nq.header("content-type"), Some("application/gzip"));
    assert_eq!(
        nq.header("content-length"),
        Some(nq.body.len().to_string().as_str())
    );
    assert!(nq.header("etag").is_some_and(|t| t.starts_with('"')));
    assert!(nq.header("last-modified").is_some());
    assert_eq!(nq.header("accept-ranges"), Some("bytes"));
    assert!(
        nq.header("content-disposition")
            .is_some_and(|d| d.contains("bibia.nq.gz"))
    );
    let dumped = quads(&gunzip(&nq.body), RdfFormat::NQuads);
    assert!(
        same_dataset(&dumped, &expected),
        "the N-Quads dump is the projection, graph by graph"
    );

    let ttl = app.get("/dumps/bibia.ttl.gz", None).await;
    assert_eq!(ttl.status, StatusCode::OK);
    // The union of the graphs: each triple in the default graph.
    let in_default = |quads: Vec<Quad>| -> Vec<Quad> {
        quads
            .into_iter()
            .map(|q| Triple::from(q).in_graph(oxigraph::model::GraphName::DefaultGraph))
            .collect()
    };
    assert!(
        same_dataset(
            &in_default(quads(&gunzip(&ttl.body), RdfFormat::Turtle)),
            &in_default(expected)
        ),
        "the Turtle dump is the union of the projection's graphs"
    );

    // The page of the downloads lists both with their size and hash.
    let page = app.get("/dumps/", Some("text/html")).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    for file in [&nq, &ttl] {
        let tag = file.header("etag").expect("etag").trim_matches('"');
        assert!(html.contains(tag), "the page gives the SHA-256 {tag}");
    }
    assert!(html.contains("href=\"/dumps/bibia.nq.gz\""));
    assert_eq!(app.get("/dumps/autre.nq.gz", None).await.status, 404);
}

#[tokio::test]
async fn a_dump_is_served_in_ranges_and_with_validators() {
    let app = TestApp::demo();
    let whole = app.get("/dumps/bibia.nq.gz", None).await;
    let size = whole.body.len();
    let etag = whole.header("etag").expect("etag").to_owned();
    let modified = whole.header("last-modified").expect("date").to_owned();

    let part = get_with(&app, "/dumps/bibia.nq.gz", &[("range", "bytes=10-19")]).await;
    assert_eq!(part.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        part.header("content-range"),
        Some(format!("bytes 10-19/{size}").as_str())
    );
    assert_eq!(part.body, whole.body[10..20]);

    // A cut download resumes from where it stopped.
    let rest = get_with(
        &app,
        "/dumps/bibia.nq.gz",
        &[("range", "bytes=100-"), ("if-range", etag.as_str())],
    )
    .await;
    assert_eq!(rest.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(rest.body, whole.body[100..]);
    let tail = get_with(&app, "/dumps/bibia.nq.gz", &[("range", "bytes=-5")]).await;
    assert_eq!(tail.body, whole.body[size - 5..]);

    // Of another version, the whole file.
    let stale = get_with(
        &app,
        "/dumps/bibia.nq.gz",
        &[("range", "bytes=100-"), ("if-range", "\"autre\"")],
    )
    .await;
    assert_eq!(stale.status, StatusCode::OK);
    assert_eq!(stale.body.len(), size);

    let past = get_with(
        &app,
        "/dumps/bibia.nq.gz",
        &[("range", &format!("bytes={size}-"))],
    )
    .await;
    assert_eq!(past.status, StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(
        past.header("content-range"),
        Some(format!("bytes */{size}").as_str())
    );

    for (name, value) in [("if-none-match", &etag), ("if-modified-since", &modified)] {
        let r = get_with(&app, "/dumps/bibia.nq.gz", &[(name, value.as_str())]).await;
        assert_eq!(r.status, StatusCode::NOT_MODIFIED, "{name}");
        assert!(r.body.is_empty());
    }

    let head = app
        .send(
            Request::head("/dumps/bibia.ttl.gz")
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(head.status, StatusCode::OK);
    assert!(head.body.is_empty());
    let length: usize = head
        .header("content-length")
        .and_then(|l| l.parse().ok())
        .expect("a length");
    assert!(length > 0);
}

#[tokio::test]
async fn the_dumps_are_made_again_when_the_data_change() {
    let store = TestStore::with_model();
    let app = TestApp::serve(&store, Default::default(), 16);
    let before = app.get("/dumps/bibia.nq.gz", None).await;
    assert_eq!(before.status, StatusCode::OK);
    common::import_project(&store, "Tri des courriers entrants", "Un service de tri.");

    let after = app.get("/dumps/bibia.nq.gz", None).await;
    assert_eq!(after.status, StatusCode::OK);
    assert_ne!(after.header("etag"), before.header("etag"));
    let text = String::from_utf8(gunzip(&after.body)).expect("UTF-8");
    assert!(text.contains("Tri des courriers entrants"));
    let listed = app.get("/dumps/", None).await.text();
    assert!(listed.contains(after.header("etag").expect("etag").trim_matches('"')));

    // Only the finished files are in the folder: no temporary file left.
    let dir = store.dir.path().join("dumps");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("the dumps' folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["bibia-dumps.json", "bibia.nq.gz", "bibia.ttl.gz"]);
}

/// One number a SPARQL query on the app's endpoint gives.
async fn sparql_count(app: &TestApp, query: &str) -> u64 {
    let rows = sparql_rows(app, query).await;
    rows[0][0].parse().expect("a count")
}

/// The rows of a SELECT on the app's endpoint, as text.
async fn sparql_rows(app: &TestApp, query: &str) -> Vec<Vec<String>> {
    let r = app
        .send(
            Request::post("/sparql")
                .header("content-type", "application/sparql-query")
                .header("accept", "application/sparql-results+json")
                .body(Body::from(query.to_owned()))
                .expect("request"),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{query}: {}", r.text());
    let json: serde_json::Value = serde_json::from_slice(&r.body).expect("JSON");
    let vars: Vec<String> = json["head"]["vars"]
        .as_array()
        .expect("vars")
        .iter()
        .map(|v| v.as_str().expect("name").to_owned())
        .collect();
    json["results"]["bindings"]
        .as_array()
        .expect("bindings")
        .iter()
        .map(|b| {
            vars.iter()
                .map(|v| b[v]["value"].as_str().unwrap_or("").to_owned())
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn the_void_figures_are_what_sparql_counts() {
    let _turn = common::TIMING.lock().await;
    let app = TestApp::demo();
    let r = app.get("/.well-known/void", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("content-type"), Some("text/turtle; charset=utf-8"));
    let triples: Vec<Triple> = quads(&r.body, RdfFormat::Turtle)
        .into_iter()
        .map(Triple::from)
        .collect();
    const VOID: &str = "http://rdfs.org/ns/void#";
    let dataset = format!("{}catalog#graphe", common::BASE);
    let of = |subject: &str, property: &str| -> Vec<Term> {
        triples
            .iter()
            .filter(|t| {
                t.subject.to_string() == format!("<{subject}>")
                    && t.predicate.as_str() == format!("{VOID}{property}")
            })
            .map(|t| t.object.clone())
            .collect()
    };
    let number = |subject: &str, property: &str| -> u64 {
        match of(subject, property).as_slice() {
            [Term::Literal(l)] => l.value().parse().expect("a number"),
            other => panic!("{property} of {subject}: {other:?}"),
        }
    };
    let distinct = "SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o }";
    for (property, query) in [
        (
            "triples",
            format!("SELECT (COUNT(*) AS ?n) WHERE {{ {distinct} }}"),
        ),
        (
            "distinctSubjects",
            "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }".to_owned(),
        ),
        (
            "distinctObjects",
            "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }".to_owned(),
        ),
        (
            "entities",
            format!(
                "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), \"{}id/\")) }}",
                common::BASE
            ),
        ),
        (
            "classes",
            "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?s a ?c FILTER(isIRI(?c)) }".to_owned(),
        ),
        (
            "properties",
            "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?s ?p ?o }".to_owned(),
        ),
    ] {
        let counted = sparql_count(&app, &query).await;
        assert!(counted > 0, "{property}");
        assert_eq!(number(&dataset, property), counted, "void:{property}");
    }

    // Every class and property partition, against GROUP BY.
    let partitions = |kind: &str, key: &str, figure: &str| -> Vec<(String, u64)> {
        let mut out: Vec<(String, u64)> = of(&dataset, kind)
            .iter()
            .map(|part| {
                let part = match part {
                    Term::NamedNode(n) => n.as_str().to_owned(),
                    other => panic!("a partition IRI, not {other}"),
                };
                let found = of(&part, key);
                let [Term::NamedNode(of_what)] = found.as_slice() else {
                    panic!("{key} of {part}: {found:?}")
                };
                (of_what.as_str().to_owned(), number(&part, figure))
            })
            .collect();
        out.sort();
        out
    };
    let grouped = |rows: Vec<Vec<String>>| -> Vec<(String, u64)> {
        let mut out: Vec<(String, u64)> = rows
            .into_iter()
            .map(|r| (r[0].clone(), r[1].parse().expect("a count")))
            .collect();
        out.sort();
        out
    };
    let classes = grouped(
        sparql_rows(
            &app,
            "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c FILTER(isIRI(?c)) } GROUP BY ?c",
        )
        .await,
    );
    assert!(classes.len() > 10);
    assert_eq!(partitions("classPartition", "class", "entities"), classes);
    let properties = grouped(
        sparql_rows(
            &app,
            &format!("SELECT ?p (COUNT(*) AS ?n) WHERE {{ {distinct} }} GROUP BY ?p"),
        )
        .await,
    );
    assert_eq!(
        partitions("propertyPartition", "property", "triples"),
        properties
    );

    // Where the data are, and what they use.
    let links = |property: &str| -> Vec<String> {
        of(&dataset, property)
            .iter()
            .map(|t| match t {
                Term::NamedNode(n) => n.as_str().to_owned(),
                Term::Literal(l) => l.value().to_owned(),
                other => other.to_string(),
            })
            .collect()
    };
    assert_eq!(links("sparqlEndpoint"), [format!("{}sparql", common::BASE)]);
    assert_eq!(links("uriSpace"), [format!("{}id/", common::BASE)]);
    let vocabularies = links("vocabulary");
    for ns in [
        "https://w3id.org/bibia/def#",
        "http://www.w3.org/ns/dcat#",
        "http://www.w3.org/2004/02/skos/core#",
    ] {
        assert!(
            vocabularies.iter().any(|v| v == ns),
            "{ns}: {vocabularies:?}"
        );
    }
    for dump in links("dataDump") {
        let path = dump.strip_prefix(common::BASE).expect("ours");
        let got = app.get(&format!("/{path}"), None).await;
        assert_eq!(got.status, StatusCode::OK, "{dump}");
    }
}

/// The N-Quads dump an app serves now, as text (for checks that something
/// is, or is not, in it).
pub(crate) async fn dumped_text(app: &TestApp) -> String {
    let r = app.get("/dumps/bibia.nq.gz", None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    String::from_utf8(gunzip(&r.body)).expect("utf-8 dump")
}

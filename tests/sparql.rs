//! The public SPARQL endpoint: the protocol (methods, parameters, formats,
//! statuses), the limits, the example queries on the demo data, and an
//! adversarial battery that tries to reach restricted data.

use crate::common::{self, BASE, TestApp, TestResponse};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use bibia::config::QueryLimits;
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{NamedNode, Term};
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, Instant};

const JSON: &str = "application/sparql-results+json";

/// Percent-encodes a query-string value.
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn get_query(app: &TestApp, query: &str, extra: &str, accept: Option<&str>) -> TestResponse {
    app.get(&format!("/sparql?query={}{extra}", enc(query)), accept)
        .await
}

async fn post(
    app: &TestApp,
    content_type: &str,
    body: impl Into<String>,
    accept: Option<&str>,
) -> TestResponse {
    post_to(app, "/sparql", content_type, body, accept).await
}

async fn post_to(
    app: &TestApp,
    uri: &str,
    content_type: &str,
    body: impl Into<String>,
    accept: Option<&str>,
) -> TestResponse {
    let mut req = Request::post(uri).header("content-type", content_type);
    if let Some(a) = accept {
        req = req.header("accept", a);
    }
    app.send(req.body(Body::from(body.into())).expect("request"))
        .await
}

/// A SELECT through GET, as (variables, rows of variable → lexical value).
async fn select_on(
    app: &TestApp,
    query: &str,
    extra: &str,
) -> (Vec<String>, Vec<HashMap<String, String>>) {
    let r = get_query(app, query, extra, Some(JSON)).await;
    assert_eq!(r.status, StatusCode::OK, "{query}\n{}", r.text());
    parse_json(&r.body)
}

fn parse_json(body: &[u8]) -> (Vec<String>, Vec<HashMap<String, String>>) {
    let v: Value = serde_json::from_slice(body).expect("SPARQL JSON");
    let vars = v["head"]["vars"]
        .as_array()
        .expect("vars")
        .iter()
        .map(|x| x.as_str().unwrap_or("").to_owned())
        .collect();
    let rows = v["results"]["bindings"]
        .as_array()
        .expect("bindings")
        .iter()
        .map(|b| {
            b.as_object()
                .expect("binding")
                .iter()
                .map(|(k, t)| (k.clone(), t["value"].as_str().unwrap_or("").to_owned()))
                .collect()
        })
        .collect();
    (vars, rows)
}

fn count(rows: &[HashMap<String, String>]) -> u64 {
    rows[0]["n"].parse().expect("a count")
}

const PROJECT: &str = "http://localhost:8080/id/projet/metropole-de-lyon-chatbot-dechets";

// ---------------------------------------------------------------- protocol

#[tokio::test]
async fn get_post_form_and_post_query_give_the_same_answer() {
    let app = TestApp::demo();
    let q = "SELECT (COUNT(*) AS ?n) WHERE { ?p a <https://w3id.org/bibia/def#UseCase> }";
    let by_get = get_query(&app, q, "", None).await;
    let by_form = post(
        &app,
        "application/x-www-form-urlencoded",
        format!("query={}", enc(q)),
        None,
    )
    .await;
    let by_body = post(&app, "application/sparql-query; charset=utf-8", q, None).await;
    for r in [&by_get, &by_form, &by_body] {
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.header("content-type"), Some(JSON));
        assert_eq!(r.header("x-bibia-max-rows"), Some("100000"));
        assert_eq!(r.header("x-bibia-truncated"), Some("false"));
        assert_eq!(r.header("vary"), Some("Accept"));
    }
    assert_eq!(count(&parse_json(&by_get.body).1), 46);
    assert_eq!(by_get.body, by_form.body);
    assert_eq!(by_get.body, by_body.body);
}

#[tokio::test]
async fn results_formats_by_accept_and_by_format_parameter() {
    let app = TestApp::demo();
    let q = "SELECT ?t WHERE { <http://localhost:8080/id/projet/metropole-de-lyon-chatbot-dechets> <http://purl.org/dc/terms/title> ?t }";
    let cases = [
        (
            "application/sparql-results+json",
            "json",
            "application/sparql-results+json",
            "\"Chatbot déchets\"",
        ),
        (
            "application/sparql-results+xml",
            "xml",
            "application/sparql-results+xml",
            "<literal xml:lang=\"fr\">Chatbot déchets</literal>",
        ),
        (
            "text/csv",
            "csv",
            "text/csv; charset=utf-8",
            "t\r\nChatbot déchets",
        ),
        (
            "text/tab-separated-values",
            "tsv",
            "text/tab-separated-values; charset=utf-8",
            "?t\n\"Chatbot déchets\"@fr",
        ),
    ];
    for (accept, short, content_type, needle) in cases {
        for r in [
            get_query(&app, q, "", Some(accept)).await,
            get_query(&app, q, &format!("&format={short}"), Some("text/html")).await,
        ] {
            assert_eq!(r.status, StatusCode::OK, "{short}: {}", r.text());
            assert_eq!(r.header("content-type"), Some(content_type));
            assert!(r.text().contains(needle), "{short}: {}", r.text());
        }
    }
    let ask = get_query(
        &app,
        "ASK { ?s a <https://w3id.org/bibia/def#UseCase> }",
        "&format=xml",
        None,
    )
    .await;
    assert!(
        ask.text().contains("<boolean>true</boolean>"),
        "{}",
        ask.text()
    );
}

#[tokio::test]
async fn graph_formats_by_accept_and_by_format_parameter() {
    let app = TestApp::demo();
    let q = format!("CONSTRUCT {{ <{PROJECT}> ?p ?o }} WHERE {{ <{PROJECT}> ?p ?o }}");
    let cases = [
        ("text/turtle", "ttl", RdfFormat::Turtle),
        ("application/n-triples", "nt", RdfFormat::NTriples),
        ("application/n-quads", "nq", RdfFormat::NQuads),
        (
            "application/ld+json",
            "jsonld",
            RdfFormat::JsonLd {
                profile: Default::default(),
            },
        ),
        ("application/rdf+xml", "rdf", RdfFormat::RdfXml),
    ];
    let mut sizes = BTreeSet::new();
    for (accept, short, format) in cases {
        for r in [
            get_query(&app, &q, "", Some(accept)).await,
            get_query(&app, &q, &format!("&format={short}"), None).await,
        ] {
            assert_eq!(r.status, StatusCode::OK, "{short}: {}", r.text());
            let media_type = match format {
                RdfFormat::Turtle => "text/turtle; charset=utf-8",
                other => other.media_type(),
            };
            assert_eq!(r.header("content-type"), Some(media_type), "{short}");
            let triples = RdfParser::from_format(format)
                .for_slice(&r.body)
                .collect::<Result<Vec<_>, _>>()
                .expect(short);
            sizes.insert(triples.len());
        }
    }
    assert_eq!(
        sizes.len(),
        1,
        "every format carries the same triples: {sizes:?}"
    );
    assert!(sizes.first().is_some_and(|n| *n > 10));
    let describe = get_query(&app, &format!("DESCRIBE <{PROJECT}>"), "", None).await;
    assert_eq!(
        describe.header("content-type"),
        Some("text/turtle; charset=utf-8")
    );
}

/// The `format` / `output` / `results` names of SPARQLWrapper, rdflib,
/// Fuseki and Virtuoso, for each query form.
#[tokio::test]
async fn format_names_of_common_clients_and_endpoints() {
    let app = TestApp::demo();
    let select = "SELECT ?x WHERE { VALUES ?x { 1 } }";
    let construct = format!("CONSTRUCT {{ <{PROJECT}> ?p ?o }} WHERE {{ <{PROJECT}> ?p ?o }}");
    let cases: &[(&str, &str, &str)] = &[
        (select, "format=json", "application/sparql-results+json"),
        (select, "output=json", "application/sparql-results+json"),
        (select, "results=json", "application/sparql-results+json"),
        (select, "format=srj", "application/sparql-results+json"),
        (select, "output=xml", "application/sparql-results+xml"),
        (select, "format=sparql", "application/sparql-results+xml"),
        (select, "format=srx", "application/sparql-results+xml"),
        (select, "output=csv", "text/csv; charset=utf-8"),
        (
            select,
            "format=tsv&format=text%2Ftab-separated-values&output=tsv",
            "text/tab-separated-values; charset=utf-8",
        ),
        (&construct, "format=turtle", "text/turtle; charset=utf-8"),
        (&construct, "output=turtle", "text/turtle; charset=utf-8"),
        (&construct, "format=n3", "text/turtle; charset=utf-8"),
        (
            &construct,
            "format=text%2Fturtle",
            "text/turtle; charset=utf-8",
        ),
        (&construct, "format=ntriples", "application/n-triples"),
        (&construct, "format=n-triples", "application/n-triples"),
        (&construct, "format=nquads", "application/n-quads"),
        (
            &construct,
            "format=json-ld&format=application%2Fld%2Bjson",
            "application/ld+json",
        ),
        (&construct, "format=json", "application/ld+json"),
        (&construct, "format=rdfxml", "application/rdf+xml"),
        (
            &construct,
            "format=rdf%2Bxml&format=application%2Frdf%2Bxml",
            "application/rdf+xml",
        ),
        (&construct, "format=xml", "application/rdf+xml"),
        (&construct, "output=rdf", "application/rdf+xml"),
    ];
    for (query, params, media_type) in cases {
        let r = get_query(&app, query, &format!("&{params}"), Some("*/*")).await;
        assert_eq!(r.status, StatusCode::OK, "{params}: {}", r.text());
        assert_eq!(r.header("content-type"), Some(*media_type), "{params}");
    }
    // A name that means nothing for this query form is a 406 in both
    // languages, listing what is possible.
    let r = get_query(&app, select, "&format=turtle&output=turtle", None).await;
    assert_eq!(r.status, StatusCode::NOT_ACCEPTABLE);
    assert!(r.text().contains("json, xml, csv, tsv"), "{}", r.text());
    assert!(
        r.text().contains("Error 406 (Not Acceptable): format"),
        "{}",
        r.text()
    );
}

#[tokio::test]
async fn not_acceptable_and_unsupported_media_type() {
    let app = TestApp::demo();
    let select = "SELECT * WHERE { ?s ?p ?o } LIMIT 1";
    assert_eq!(
        get_query(&app, select, "", Some("image/png")).await.status,
        StatusCode::NOT_ACCEPTABLE
    );
    assert_eq!(
        get_query(&app, select, "", Some("text/turtle"))
            .await
            .status,
        StatusCode::NOT_ACCEPTABLE
    );
    assert_eq!(
        get_query(&app, select, "&format=ttl", None).await.status,
        StatusCode::NOT_ACCEPTABLE
    );
    let construct = "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1";
    assert_eq!(
        get_query(&app, construct, "", Some("text/csv"))
            .await
            .status,
        StatusCode::NOT_ACCEPTABLE
    );
    assert_eq!(
        get_query(&app, construct, "", Some("text/csv, */*;q=0.1"))
            .await
            .status,
        StatusCode::OK
    );
    let r = post(&app, "text/plain", select, None).await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(
        r.text().contains("application/sparql-query"),
        "{}",
        r.text()
    );
    let no_type = app
        .send(
            Request::post("/sparql")
                .body(Body::from(select))
                .expect("request"),
        )
        .await;
    assert_eq!(no_type.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn bad_requests_say_what_is_wrong() {
    let app = TestApp::demo();
    let r = get_query(&app, "SELECT ?s WHERE {\n  ?s ?p \n", "", None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.text()
            .starts_with("Erreur 400 : Requête SPARQL invalide, ligne 3, colonne"),
        "{}",
        r.text()
    );
    assert!(
        r.text()
            .contains("\nError 400 (Bad Request): Invalid SPARQL query, line 3, column"),
        "{}",
        r.text()
    );
    let r = post(
        &app,
        "application/x-www-form-urlencoded",
        "format=json",
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.text().contains("query"), "{}", r.text());
    let r = app
        .get("/sparql?query=ASK%7B%7D&query=ASK%7B%7D", None)
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = get_query(&app, "ASK {}", "&timeout=abc", None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.text().contains("timeout"), "{}", r.text());
    let r = get_query(&app, "ASK {}", "&default-graph-uri=pas%20une%20iri", None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn service_is_refused_by_default() {
    let app = TestApp::demo();
    for q in [
        "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE SILENT ?x { ?s ?q ?r } } } LIMIT 1",
        "SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE <http://169.254.169.254/> { ?s ?q ?r } } } LIMIT 1",
    ] {
        let r = get_query(&app, q, "", None).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{q}: {}", r.text());
        assert!(r.text().contains("SERVICE"), "{}", r.text());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_allowed_service_is_called() {
    let remote = TestApp::demo();
    let endpoint = format!("http://{}/sparql", remote.addr());
    let silent = "http://127.0.0.1:9/sparql".to_owned();
    let app = TestApp::with_limits(
        common::demo(),
        limits(|l| l.service_allow = vec![endpoint.clone(), silent.clone()]),
    );
    let q = format!(
        "SELECT (COUNT(*) AS ?n) WHERE {{ SERVICE <{endpoint}> {{ ?p a <https://w3id.org/bibia/def#UseCase> }} }}"
    );
    let (_, rows) = select_on(&app, &q, "").await;
    assert_eq!(count(&rows), 46);
    // An allowed endpoint that does not answer: a 400 that says why.
    let q = format!("SELECT * WHERE {{ SERVICE <{silent}> {{ ?s ?p ?o }} }}");
    let r = get_query(&app, &q, "", None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    assert!(r.text().contains("connexion impossible"), "{}", r.text());
}

#[tokio::test]
async fn writes_are_refused_with_a_french_403() {
    let app = TestApp::demo();
    let update = "INSERT DATA { <http://x/s> <http://x/p> <http://x/o> }";
    let mut answers = vec![
        app.get(&format!("/sparql?update={}", enc(update)), None)
            .await,
        post(&app, "application/sparql-update", update, None).await,
        post(
            &app,
            "application/x-www-form-urlencoded",
            format!("update={}", enc(update)),
            None,
        )
        .await,
        post_to(
            &app,
            "/sparql?default",
            "text/turtle",
            "<http://x/s> <http://x/p> <http://x/o> .",
            None,
        )
        .await,
        post_to(
            &app,
            "/store?default",
            "text/turtle",
            "<http://x/s> <http://x/p> <http://x/o> .",
            None,
        )
        .await,
    ];
    for method in ["PUT", "DELETE", "PATCH"] {
        for uri in ["/sparql?default", "/store?graph=http%3A%2F%2Fx%2Fg"] {
            let req = Request::builder()
                .method(method)
                .uri(uri)
                .header("content-type", "text/turtle");
            answers.push(
                app.send(
                    req.body(Body::from("<http://x/s> <http://x/p> <http://x/o> ."))
                        .expect("request"),
                )
                .await,
            );
        }
    }
    for r in answers {
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
        assert!(r.text().contains("lecture seule"), "{}", r.text());
    }
    let (_, rows) = select_on(
        &app,
        "SELECT (COUNT(*) AS ?n) WHERE { <http://x/s> ?p ?o }",
        "",
    )
    .await;
    assert_eq!(count(&rows), 0);
}

#[tokio::test]
async fn dataset_from_the_query_and_from_the_protocol() {
    let app = TestApp::demo();
    let own = format!("SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{PROJECT}> {{ ?s ?p ?o }} }}");
    let in_graph = count(&select_on(&app, &own, "").await.1);
    assert!(in_graph > 10);
    let all = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }";
    let union = count(&select_on(&app, all, "").await.1);
    assert!(
        union > in_graph,
        "the default graph is the union of the public graphs"
    );
    let from = format!("SELECT (COUNT(*) AS ?n) FROM <{PROJECT}> WHERE {{ ?s ?p ?o }}");
    assert_eq!(count(&select_on(&app, &from, "").await.1), in_graph);
    let by_param = format!("&default-graph-uri={}", enc(PROJECT));
    assert_eq!(count(&select_on(&app, all, &by_param).await.1), in_graph);
    // The protocol's dataset replaces FROM / FROM NAMED.
    let named = "SELECT (COUNT(DISTINCT ?g) AS ?n) FROM NAMED <http://localhost:8080/id/organisation/metropole-de-lyon> WHERE { GRAPH ?g { ?s ?p ?o } }";
    assert_eq!(count(&select_on(&app, named, "").await.1), 1);
    let (_, rows) = select_on(
        &app,
        "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 1",
        &format!("&named-graph-uri={}", enc(PROJECT)),
    )
    .await;
    assert_eq!(rows[0]["g"], PROJECT);
}

#[tokio::test]
async fn bare_get_describes_the_service_or_shows_the_page() {
    let app = TestApp::demo();
    let sd = app.get("/sparql", None).await;
    assert_eq!(sd.status, StatusCode::OK);
    assert_eq!(
        sd.header("content-type"),
        Some("text/turtle; charset=utf-8")
    );
    let triples: Vec<_> = RdfParser::from_format(RdfFormat::Turtle)
        .for_slice(&sd.body)
        .collect::<Result<_, _>>()
        .expect("Turtle");
    let has = |p: &str, o: &str| {
        triples
            .iter()
            .any(|t| t.predicate.as_str().ends_with(p) && t.object.to_string().contains(o))
    };
    assert!(has("#endpoint", "http://localhost:8080/sparql"));
    assert!(has("#supportedLanguage", "SPARQL11Query"));
    assert!(has("#resultFormat", "SPARQL_Results_JSON"));
    assert!(has("#defaultDataset", "_:"));
    assert_eq!(
        app.get("/sparql?format=jsonld", None)
            .await
            .header("content-type"),
        Some("application/ld+json")
    );
    assert_eq!(
        app.get("/sparql", Some("application/rdf+xml")).await.status,
        StatusCode::OK
    );
    let page = app
        .get(
            "/sparql",
            Some("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(
        html.contains("<html lang=\"fr\">")
            && html.contains("<textarea")
            && html.contains("PREFIX bia:")
    );
    assert!(
        html.matches("<option value=\"").count() >= 12 + 10,
        "examples and formats"
    );
    assert!(
        !html.contains("https://cdn") && !html.contains("<script src"),
        "no external resource"
    );
}

#[tokio::test]
async fn cors_and_compression() {
    let app = TestApp::demo();
    let req = Request::get(format!(
        "/sparql?query={}",
        enc("SELECT * WHERE { ?s ?p ?o } LIMIT 2000")
    ))
    .header("origin", "https://example.org")
    .header("accept-encoding", "gzip")
    .body(Body::empty())
    .expect("request");
    let r = app.send(req).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    assert_eq!(r.header("content-encoding"), Some("gzip"));
    let preflight = Request::options("/sparql")
        .header("origin", "https://example.org")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .body(Body::empty())
        .expect("request");
    let r = app.send(preflight).await;
    assert!(r.status.is_success());
    assert!(
        r.header("access-control-allow-methods")
            .is_some_and(|m| m.contains("POST") || m == "*")
    );
}

// ------------------------------------------------------------------ limits

fn limits(f: impl FnOnce(&mut QueryLimits)) -> QueryLimits {
    let mut l = QueryLimits::default();
    f(&mut l);
    l
}

#[tokio::test]
async fn row_limit_cuts_and_says_so() {
    let app = TestApp::with_limits(common::demo(), limits(|l| l.max_rows = 5));
    let r = get_query(
        &app,
        "SELECT ?s WHERE { ?s a <https://w3id.org/bibia/def#UseCase> }",
        "",
        None,
    )
    .await;
    assert_eq!(r.header("x-bibia-max-rows"), Some("5"));
    assert_eq!(r.header("x-bibia-truncated"), Some("true"));
    let v: Value = serde_json::from_slice(&r.body).expect("valid JSON even when cut");
    assert_eq!(v["results"]["bindings"].as_array().map(Vec::len), Some(5));
    assert_eq!(v["bibia:truncated"], Value::Bool(true));
    let xml = get_query(
        &app,
        "SELECT ?s WHERE { ?s a <https://w3id.org/bibia/def#UseCase> }",
        "&format=xml",
        None,
    )
    .await;
    assert!(xml.text().trim_end().ends_with("-->"), "{}", xml.text());
    let ttl = get_query(
        &app,
        "CONSTRUCT WHERE { ?s a <https://w3id.org/bibia/def#UseCase> }",
        "",
        None,
    )
    .await;
    assert_eq!(ttl.header("x-bibia-truncated"), Some("true"));
    assert_eq!(
        RdfParser::from_format(RdfFormat::Turtle)
            .for_slice(&ttl.body)
            .count(),
        5
    );
    let exact = get_query(
        &app,
        "SELECT ?x WHERE { VALUES ?x { 1 2 3 4 5 } }",
        "",
        None,
    )
    .await;
    assert_eq!(
        exact.header("x-bibia-truncated"),
        Some("false"),
        "exactly the limit is not a cut"
    );
}

#[tokio::test]
async fn large_results_stream_whole() {
    let app = TestApp::demo();
    let r = get_query(
        &app,
        "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 20000",
        "",
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.len() > 1_000_000, "several chunks");
    assert_eq!(r.header("trailer"), Some("x-bibia-truncated"));
    assert_eq!(parse_json(&r.body).1.len(), 20_000);
}

#[tokio::test]
async fn too_many_queries_get_503_with_retry_after() {
    let app = TestApp::with_limits(
        common::demo(),
        limits(|l| {
            l.max_concurrent = 0;
            l.max_queued = 0;
        }),
    );
    let r = get_query(&app, "ASK {}", "", None).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.header("retry-after").is_some());
    assert!(r.text().contains("Trop de requêtes"), "{}", r.text());
}

/// A cartesian product of every triple with every triple, filtered by a
/// never-true test.
const EXPLOSIVE: &str =
    "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f FILTER(STR(?c) = CONCAT(STR(?f), \"jamais\")) }";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn explosive_query_times_out_while_others_are_answered() {
    let app = TestApp::with_limits(
        common::demo(),
        limits(|l| l.timeout = Duration::from_secs(1)),
    );
    let started = Instant::now();
    let explosive = {
        let app = app.clone();
        tokio::spawn(async move { get_query(&app, EXPLOSIVE, "", None).await })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    let other = get_query(
        &app,
        "SELECT (COUNT(*) AS ?n) WHERE { ?p a <https://w3id.org/bibia/def#UseCase> }",
        "",
        None,
    )
    .await;
    assert_eq!(other.status, StatusCode::OK);
    assert!(
        !explosive.is_finished(),
        "the small query was answered while the explosive one ran"
    );
    let r = explosive.await.expect("task");
    let elapsed = started.elapsed();
    assert_eq!(r.status, StatusCode::GATEWAY_TIMEOUT, "{}", r.text());
    assert!(r.text().contains("temps limite"), "{}", r.text());
    assert!(
        elapsed < Duration::from_secs(2),
        "answered in {elapsed:?}, limit 1 s + 1 s"
    );
    // timeout= lowers the limit, never raises it.
    let r = get_query(&app, EXPLOSIVE, "&timeout=0.2", None).await;
    assert_eq!(r.status, StatusCode::GATEWAY_TIMEOUT);
    assert!(r.text().contains("0.2 s"), "{}", r.text());
}

/// Sends a GET by hand on a new connection, and reads until `enough` bytes
/// of the answer have come (none when 0).
async fn raw_get(app: &TestApp, uri: &str, enough: usize) -> (tokio::net::TcpStream, Vec<u8>) {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut tcp = tokio::net::TcpStream::connect(app.addr())
        .await
        .expect("connects");
    tcp.write_all(format!("GET {uri} HTTP/1.1\r\nHost: localhost\r\n\r\n").as_bytes())
        .await
        .expect("request sent");
    let mut read = Vec::new();
    let mut buf = [0; 8192];
    while read.len() < enough {
        let n = tcp.read(&mut buf).await.expect("reads");
        assert!(n > 0, "connection closed after {} bytes", read.len());
        read.extend_from_slice(&buf[..n]);
    }
    (tcp, read)
}

/// Waits until the single query slot of `app` (which has no queue) is free
/// again, at most `within`.
async fn slot_freed(app: &TestApp, within: Duration, what: &str) -> Duration {
    let started = Instant::now();
    loop {
        let r = get_query(app, "ASK {}", "", None).await;
        if r.status == StatusCode::OK {
            return started.elapsed();
        }
        assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.text());
        assert!(
            started.elapsed() < within,
            "{what}: the query still holds its slot"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_going_away_frees_the_slot() {
    // No queue: a query that finds the slot taken is told so at once.
    let app = TestApp::with_limits(
        common::demo(),
        limits(|l| {
            l.max_concurrent = 1;
            l.max_queued = 0;
        }),
    );
    // Gone while the answer streams.
    let big = format!(
        "/sparql?query={}&format=csv",
        enc("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }")
    );
    let (tcp, read) = raw_get(&app, &big, 100_000).await;
    assert!(
        read.starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&read[..40])
    );
    drop(tcp);
    slot_freed(&app, Duration::from_secs(10), "gone while streaming").await;
    // Gone before the first result: the evaluation, 30 s long at most, is
    // stopped as soon as the watch sees the closed connection.
    let endless = format!(
        "/sparql?query={}",
        enc("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")
    );
    let (tcp, _) = raw_get(&app, &endless, 0).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let r = get_query(&app, "ASK {}", "", None).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "the query runs");
    drop(tcp);
    let waited = slot_freed(&app, Duration::from_secs(5), "gone before the answer").await;
    assert!(waited < Duration::from_secs(5), "{waited:?}");
}

#[tokio::test]
async fn a_body_sent_too_slowly_gets_408() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let app = TestApp::with_limits(
        common::demo(),
        limits(|l| l.timeout = Duration::from_secs(1)),
    );
    let mut tcp = tokio::net::TcpStream::connect(app.addr())
        .await
        .expect("connects");
    // Announces 100 bytes, sends 10, then nothing.
    tcp.write_all(
        b"POST /sparql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/sparql-query\r\nContent-Length: 100\r\n\r\nASK { ?s ?",
    )
    .await
    .expect("sent");
    let started = Instant::now();
    let mut answer = String::new();
    tokio::time::timeout(Duration::from_secs(5), tcp.read_to_string(&mut answer))
        .await
        .expect("answered, and the connection closed")
        .expect("read");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("corps de requête non reçu"), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_beyond_the_limit_wait_their_turn() {
    let app = TestApp::serve(common::demo(), QueryLimits::default(), 1);
    // A keep-alive connection, answered and left open.
    let (first, head) = raw_get(&app, "/sparql?query=ASK%7B%7D", 1).await;
    assert!(head.starts_with(b"HTTP/1.1 200"));
    let second = {
        let app = app.clone();
        tokio::spawn(async move { get_query(&app, "ASK {}", "", None).await })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !second.is_finished(),
        "a second connection was served beyond the limit of one"
    );
    drop(first);
    let r = tokio::time::timeout(Duration::from_secs(5), second)
        .await
        .expect("served once the first connection is closed")
        .expect("task");
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_reading_loses_its_answer_at_the_time_limit() {
    let app = TestApp::with_limits(
        common::demo(),
        limits(|l| {
            l.max_concurrent = 1;
            l.max_queued = 0;
            l.timeout = Duration::from_secs(1);
        }),
    );
    let big = format!(
        "/sparql?query={}&format=csv",
        enc("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }")
    );
    // Reads the head, then nothing: the socket buffers fill up.
    let (_tcp, read) = raw_get(&app, &big, 1).await;
    assert!(read.starts_with(b"HTTP/1.1 200"));
    // Time limit (1 s) plus the watch's grace (1 s) plus a margin.
    slot_freed(&app, Duration::from_secs(4), "reader stalled").await;
}

/// Queries whose work happens in joins of data already in memory, where
/// oxigraph never reads the store (so never looks at its own token): they
/// stop only thanks to the check bibia adds to every join and filter.
const IN_MEMORY_EXPLOSIONS: &[&str] = &[
    "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i FILTER(STR(?c) = CONCAT(STR(?f), STR(?i), \"jamais\")) }",
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
    "SELECT (COUNT(*) AS ?n) WHERE { ?a a ?t . ?b a ?t . ?c a ?t }",
    "SELECT (COUNT(*) AS ?n) WHERE { { ?a ?b ?c } { ?d ?e ?f } OPTIONAL { ?g ?h ?i } }",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn products_of_products_are_really_stopped() {
    // One slot: the next query is answered only once the evaluation of the
    // previous one has really ended.
    let app = TestApp::with_limits(
        common::demo(),
        limits(|l| {
            l.timeout = Duration::from_millis(500);
            l.max_concurrent = 1;
            l.max_queued = 0;
        }),
    );
    for query in IN_MEMORY_EXPLOSIONS {
        // The task of the previous ASK may still hold the slot for a moment
        // after its answer.
        let (started, r) = loop {
            let started = Instant::now();
            let r = get_query(&app, query, "", None).await;
            if r.status != StatusCode::SERVICE_UNAVAILABLE {
                break (started, r);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        assert_eq!(
            r.status,
            StatusCode::GATEWAY_TIMEOUT,
            "{query}: {}",
            r.text()
        );
        // Without the check these run for hours; the margin allows for a
        // machine busy with the other tests.
        let deadline = started + Duration::from_secs(5);
        loop {
            let r = get_query(&app, "ASK {}", "", None).await;
            if r.status == StatusCode::OK {
                break;
            }
            assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.text());
            assert!(
                Instant::now() < deadline,
                "{query} still runs 4.5 s after its time limit"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

// ---------------------------------------------------------------- examples

/// Each example: (file, expected columns, one row's expected values).
/// (example file, expected columns, expected (column, value) pairs).
type Example = (
    &'static str,
    &'static [&'static str],
    &'static [(&'static str, &'static str)],
);

const EXAMPLES: &[Example] = &[
    (
        "01-projets-par-theme-et-region",
        &["region", "theme", "projets"],
        &[
            ("region", "Auvergne-Rhône-Alpes"),
            ("theme", "Transition écologique et énergétique"),
            ("projets", "4"),
        ],
    ),
    (
        "02-ia-generative",
        &["collectivite", "nom", "projet", "titre", "indice"],
        &[
            ("nom", "Région Bretagne"),
            (
                "titre",
                "Assistant de rédaction des rapports de la commission permanente",
            ),
        ],
    ),
    (
        "03-solutions-partagees",
        &["solution", "nom", "organisations", "utilisateurs"],
        &[
            ("nom", "Civitalis Agent conversationnel"),
            ("organisations", "3"),
        ],
    ),
    (
        "04-risque-eleve-sans-opposition",
        &["projet", "titre", "collectivite", "controleHumain"],
        &[
            (
                "titre",
                "Aide à la priorisation des informations préoccupantes",
            ),
            ("collectivite", "Département de la Manche"),
        ],
    ),
    (
        "05-ressources-libres",
        &["ressource", "titre", "licence", "editeur", "acces"],
        &[
            ("titre", "Code source de CompteRendu+"),
            ("licence", "AGPL-3.0-only"),
        ],
    ),
    (
        "06-partenaires-frequents",
        &["partenaire", "nom", "projets", "roles"],
        &[("nom", "Territoires Numériques Conseil"), ("projets", "8")],
    ),
    (
        "07-projets-par-statut",
        &["statut", "projets"],
        &[("statut", "En déploiement"), ("projets", "20")],
    ),
    (
        "08-projets-par-type-organisation",
        &["type", "projets", "organisations"],
        &[
            ("type", "Commune"),
            ("projets", "16"),
            ("organisations", "10"),
        ],
    ),
    (
        "09-fiches-transparence",
        &["projet", "titre", "categorie", "automatisation", "aipd"],
        &[("titre", "Chatbot déchets"), ("categorie", "risque limité")],
    ),
    (
        "10-ressources-par-type",
        &["type", "libelle", "ressources"],
        &[("libelle", "Code source"), ("ressources", "8")],
    ),
    (
        "11-projets-par-annee",
        &["annee", "projets"],
        &[("annee", "2023"), ("projets", "8")],
    ),
    (
        "12-organisations-par-region",
        &["region", "organisations"],
        &[("region", "Occitanie"), ("organisations", "6")],
    ),
    (
        "13-projets-sur-la-carte",
        &["projet", "titre", "collectivite", "theme", "lat", "long"],
        &[
            ("titre", "Chatbot déchets"),
            ("lat", "45.7535"),
            ("long", "4.8488"),
        ],
    ),
    (
        "14-projets-mobilites",
        &["projet", "titre", "collectivite", "sousThemes", "solution"],
        &[
            ("titre", "Prévision des flux de circulation"),
            ("solution", "FluxPrévi"),
        ],
    ),
];

#[tokio::test]
async fn example_queries_answer_on_the_demo_data() {
    let app = TestApp::demo();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/data/queries");
    for (file, columns, expected) in EXAMPLES {
        let query = std::fs::read_to_string(format!("{dir}/{file}.rq")).expect("example file");
        let (vars, rows) = select_on(&app, &query, "").await;
        assert_eq!(&vars, columns, "{file}: columns");
        assert!(!rows.is_empty(), "{file}: no answer");
        assert!(
            rows.iter().any(|row| expected
                .iter()
                .all(|(k, v)| row.get(*k).map(String::as_str) == Some(*v))),
            "{file}: no row with {expected:?}; got {:?}",
            &rows[..rows.len().min(5)]
        );
    }
    // The graph example: the project's public record, its algorithm sheet, no contact.
    let query = std::fs::read_to_string(format!("{dir}/15-fiche-projet.rq")).expect("example file");
    let r = get_query(&app, &query, "&format=nt", None).await;
    assert_eq!(r.status, StatusCode::OK);
    let nt = r.text();
    assert!(
        nt.contains("\"Chatbot déchets\"@fr")
            && nt.contains("#algorithme> <https://w3id.org/bibia/def#aiActRiskCategory>"),
        "{nt}"
    );
    assert!(!nt.contains("#contact"), "{nt}");
    assert_eq!(
        std::fs::read_dir(dir).expect("dir").count(),
        EXAMPLES.len() + 1,
        "every example is tested"
    );
}

// ------------------------------------------------------------- adversarial

/// Restricted properties, read from the ontology, and restricted values,
/// read from the demo files (those no public triple also carries).
fn restricted() -> (BTreeSet<String>, BTreeSet<String>) {
    let root = env!("CARGO_MANIFEST_DIR");
    let parse = |path: String| {
        RdfParser::from_format(RdfFormat::Turtle)
            .with_base_iri(BASE)
            .expect("base")
            .for_slice(&std::fs::read(&path).expect("file"))
            .collect::<Result<Vec<_>, _>>()
            .expect("Turtle")
    };
    let level = NamedNode::new_unchecked("https://w3id.org/bibia/def#accessLevel");
    let restreint = Term::from(NamedNode::new_unchecked(
        "https://w3id.org/bibia/def#restreint",
    ));
    let properties: BTreeSet<String> = parse(format!("{root}/ontology/bibia.ttl"))
        .into_iter()
        .filter(|q| q.predicate == level && q.object == restreint)
        .map(|q| q.subject.to_string().trim_matches(['<', '>']).to_owned())
        .collect();
    assert!(properties.len() > 15, "{properties:?}");
    let mut hidden = BTreeSet::new();
    let mut public = BTreeSet::new();
    for entry in std::fs::read_dir(format!("{root}/data/demo")).expect("demo") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "ttl") {
            continue;
        }
        for q in parse(path.display().to_string()) {
            let value = match &q.object {
                Term::Literal(l) if l.value().len() > 15 => l.value().to_owned(),
                Term::NamedNode(n)
                    if n.as_str().starts_with("mailto:") || n.as_str().starts_with("tel:") =>
                {
                    n.as_str().to_owned()
                }
                _ => continue,
            };
            if properties.contains(q.predicate.as_str()) {
                hidden.insert(value);
            } else {
                public.insert(value);
            }
        }
    }
    // A restricted value that is also part of a public one (an algorithm
    // name repeated in the public description) is not a secret.
    hidden.retain(|v| !public.iter().any(|p| p.contains(v.as_str())));
    assert!(hidden.len() > 100, "{}", hidden.len());
    (properties, hidden)
}

fn assert_clean(label: &str, text: &str, properties: &BTreeSet<String>, values: &BTreeSet<String>) {
    for p in properties {
        assert!(
            !text.contains(p.as_str()),
            "{label}: restricted property {p} leaked"
        );
    }
    for v in values {
        assert!(
            !text.contains(v.as_str()),
            "{label}: restricted value « {v} » leaked"
        );
    }
}

#[tokio::test]
async fn no_query_form_reaches_restricted_data() {
    let (properties, values) = restricted();
    let app = TestApp::with_limits(common::demo(), limits(|l| l.max_rows = 10_000_000));
    let contact = format!("{PROJECT}#contact");
    let algorithm = format!("{PROJECT}#algorithme");
    let projects = "FILTER(STRSTARTS(STR(?g), \"http://localhost:8080/id/projet/\") || STRSTARTS(STR(?g), \"http://localhost:8080/id/organisation/\"))";
    let queries: Vec<(String, String)> = vec![
        (
            format!("CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {projects} }}"),
            String::new(),
        ),
        (
            format!(
                "SELECT ?s ?p ?o WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), \"{PROJECT}\")) }}"
            ),
            String::new(),
        ),
        (
            format!("SELECT * FROM <{PROJECT}> WHERE {{ ?s ?p ?o }}"),
            String::new(),
        ),
        (
            format!(
                "SELECT * FROM NAMED <{PROJECT}> FROM NAMED <urn:bibia:system> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
            ),
            String::new(),
        ),
        (
            "SELECT * WHERE { ?s ?p ?o }".into(),
            format!(
                "&default-graph-uri={}&default-graph-uri={}",
                enc(PROJECT),
                enc("urn:bibia:system")
            ),
        ),
        (
            "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }".into(),
            format!("&named-graph-uri={}", enc(PROJECT)),
        ),
        (format!("DESCRIBE <{PROJECT}>"), String::new()),
        (format!("DESCRIBE <{contact}> <{algorithm}>"), String::new()),
        (
            format!("SELECT ?o WHERE {{ <{PROJECT}> (<urn:x>|!<urn:x>)* ?o }}"),
            String::new(),
        ),
        (
            format!("SELECT ?p ?o WHERE {{ <{PROJECT}> (<urn:x>|!<urn:x>)* ?x . ?x ?p ?o }}"),
            String::new(),
        ),
        (
            format!("SELECT ?s ?p WHERE {{ ?s ?p <{contact}> }}"),
            String::new(),
        ),
        (
            "SELECT DISTINCT ?p WHERE { ?s ?p ?o }".into(),
            String::new(),
        ),
        (
            "SELECT DISTINCT ?p WHERE { GRAPH ?g { ?s ?p ?o } }".into(),
            String::new(),
        ),
        (
            "SELECT * WHERE { GRAPH <urn:bibia:system> { ?s ?p ?o } }".into(),
            String::new(),
        ),
    ];
    for (query, extra) in &queries {
        let r = get_query(
            &app,
            query,
            &format!(
                "{extra}&format={}",
                if query.contains("SELECT") {
                    "tsv"
                } else {
                    "nt"
                }
            ),
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{query}: {}", r.text());
        assert_clean(query, &r.text(), &properties, &values);
    }
    // The contact node does not exist publicly, not even its type.
    for ask in [
        format!("ASK {{ <{contact}> ?p ?o }}"),
        format!("ASK {{ GRAPH ?g {{ ?s ?p <{contact}> }} }}"),
    ] {
        let r = get_query(&app, &ask, "&format=json", None).await;
        assert!(r.text().contains("false"), "{ask}: {}", r.text());
    }
    // Counting the restricted predicates anywhere gives zero.
    let values_clause: String = properties.iter().map(|p| format!("<{p}> ")).collect();
    for q in [
        format!("SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?p {{ {values_clause} }} ?s ?p ?o }}"),
        format!(
            "SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?p {{ {values_clause} }} GRAPH ?g {{ ?s ?p ?o }} }}"
        ),
    ] {
        assert_eq!(count(&select_on(&app, &q, "").await.1), 0, "{q}");
    }
    // Exact and substring searches for known restricted values find nothing.
    let exact: Vec<&String> = values
        .iter()
        .filter(|v| !v.contains(['"', '\\', '\n']))
        .take(200)
        .collect();
    let literals: String = exact
        .iter()
        .map(|v| {
            if v.starts_with("mailto:") || v.starts_with("tel:") {
                format!("<{v}> ")
            } else {
                format!("\"{v}\"@fr \"{v}\" ")
            }
        })
        .collect();
    let q = format!(
        "SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?o {{ {literals} }} GRAPH ?g {{ ?s ?p ?o }} }}"
    );
    assert_eq!(count(&select_on(&app, &q, "").await.1), 0);
    for needle in [
        "ia-proprete@grandlyon",
        "pôle relation usagers",
        "Green Algorithms",
        "fonds-propres-interne",
    ] {
        let q = format!(
            "SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {projects} FILTER(CONTAINS(STR(?o), \"{needle}\")) }}"
        );
        assert_eq!(count(&select_on(&app, &q, "").await.1), 0, "{needle}");
    }
}

#[tokio::test]
async fn protocol_parameters_and_dataset_clauses_cannot_widen_the_store() {
    let app = TestApp::demo();
    // Named graphs seen through the endpoint are public graphs, never the
    // private system graph, whatever the protocol asks for.
    let (_, rows) = select_on(
        &app,
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
        "",
    )
    .await;
    assert!(
        rows.iter()
            .all(|r| r["g"].starts_with(BASE) || r["g"] == "https://w3id.org/bibia/def"),
        "{rows:?}"
    );
    for extra in [
        "&named-graph-uri=urn%3Abibia%3Asystem",
        "&default-graph-uri=urn%3Abibia%3Asystem",
    ] {
        for q in [
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
            "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
        ] {
            assert_eq!(count(&select_on(&app, q, extra).await.1), 0, "{q} {extra}");
        }
    }
}

//! The cache of SPARQL answers: the same query over unchanged data is
//! answered from memory with the same bytes and `ETag`, `304` when the
//! client's copy is current, a new answer after a write, nothing kept for
//! queries whose answer changes from one run to the next, and nothing when
//! the cache is off. Identical queries asked at once are evaluated once.

use super::{JSON, enc, get_query, limited, parse_json, post};
use crate::common::{self, TestApp, TestStore};
use crate::pages::get_with;
use axum::http::StatusCode;

#[tokio::test]
async fn the_same_query_is_answered_from_the_cache_with_its_etag() {
    let store = crate::common::demo();
    let state = TestApp::state(store, Default::default());
    let engine = state.engine.clone();
    let app = TestApp::serve_state(state, 16);
    let query = "SELECT ?p ?title WHERE { ?p a <https://w3id.org/bibia/def#UseCase> ; <http://purl.org/dc/terms/title> ?title } ORDER BY ?p";
    let first = get_query(&app, query, "", Some(JSON)).await;
    assert_eq!(first.status, StatusCode::OK);
    let etag = first.header("etag").expect("an ETag").to_owned();
    assert!(etag.starts_with("W/\""), "{etag}");
    assert_eq!(engine.cache().size().0, 1);

    // Written otherwise (spacing, a comment), by POST: the same answer.
    let again = post(
        &app,
        "application/sparql-query",
        format!("# encore\n{}", query.replace(" ; ", " ;\n  ")),
        Some(JSON),
    )
    .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.header("etag"), Some(etag.as_str()));
    assert_eq!(again.body, first.body);
    assert_eq!(engine.cache().size().0, 1, "served from the cache");
    assert_eq!(parse_json(&again.body).1.len(), 46);

    // The client's copy is current.
    let path = format!("/sparql?query={}", enc(query));
    let current = get_with(
        &app,
        &path,
        &[("accept", JSON), ("if-none-match", etag.as_str())],
    )
    .await;
    assert_eq!(current.status, StatusCode::NOT_MODIFIED);
    assert!(current.body.is_empty());
    // Another format is another answer.
    let csv = get_query(&app, query, "", Some("text/csv")).await;
    assert_ne!(csv.header("etag"), Some(etag.as_str()));

    // A long answer, sent in several chunks, is kept whole.
    let long = "SELECT ?c ?name WHERE { ?c a <http://rdf.insee.fr/def/geo#Commune> ; <http://www.w3.org/2000/01/rdf-schema#label> ?name } ORDER BY ?c LIMIT 5000";
    let streamed = get_query(&app, long, "", Some(JSON)).await;
    assert!(streamed.body.len() > 200_000, "{}", streamed.body.len());
    let (n, _) = engine.cache().size();
    let kept = get_query(&app, long, "", Some(JSON)).await;
    assert_eq!(kept.body, streamed.body);
    assert_eq!(engine.cache().size().0, n, "the long answer was kept");
}

#[tokio::test]
async fn a_write_gives_a_new_answer_and_volatile_queries_are_not_kept() {
    let store = TestStore::with_model();
    let app = TestApp::serve(&store, Default::default(), 16);
    let count = "SELECT (COUNT(?p) AS ?n) WHERE { ?p a <https://w3id.org/bibia/def#UseCase> }";
    let before = get_query(&app, count, "", Some(JSON)).await;
    assert_eq!(parse_json(&before.body).1[0]["n"], "0");
    common::import_project(&store, "Tri des courriers entrants", "Un service de tri.");
    let after = get_with(
        &app,
        &format!("/sparql?query={}", enc(count)),
        &[
            ("accept", JSON),
            ("if-none-match", before.header("etag").expect("etag")),
        ],
    )
    .await;
    assert_eq!(after.status, StatusCode::OK, "the old copy is stale");
    assert_ne!(after.header("etag"), before.header("etag"));
    assert_eq!(parse_json(&after.body).1[0]["n"], "1");

    for volatile in [
        "SELECT (RAND() AS ?r) WHERE {}",
        "SELECT (STRUUID() AS ?u) WHERE {}",
    ] {
        let r = get_query(&app, volatile, "", Some(JSON)).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.header("etag"), None, "{volatile}");
    }
}

#[tokio::test]
async fn with_the_cache_off_every_query_is_evaluated() {
    let state = TestApp::state(crate::common::demo(), limited(|l| l.answer_cache = 0));
    let engine = state.engine.clone();
    let app = TestApp::serve_state(state, 16);
    for _ in 0..2 {
        let r = get_query(&app, "ASK { ?s ?p ?o }", "", Some(JSON)).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.header("etag"), None);
    }
    assert_eq!(engine.cache().size(), (0, 0));
}

/// A query that takes about a second on the demo (7 million rows counted).
fn slow(name: &str) -> String {
    format!(
        "SELECT (COUNT(*) AS ?{name}) WHERE {{ ?a ?p ?o . ?b a <http://rdf.insee.fr/def/geo#Region> }}"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identical_queries_asked_at_once_are_evaluated_once() {
    let _turn = crate::common::TIMING.lock().await;
    // One query at a time and no queue: a second evaluation would be
    // refused with 503.
    let app = TestApp::with_limits(
        common::demo(),
        limited(|l| {
            l.max_concurrent = 1;
            l.max_queued = 0;
            l.answer_cache = 1 << 20;
        }),
    );
    let ask = |query: String, extra: &'static str| {
        let app = app.clone();
        tokio::spawn(async move { get_query(&app, &query, extra, Some(JSON)).await })
    };
    let asks: Vec<_> = (0..4).map(|_| ask(slow("n"), "")).collect();
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let other = get_query(&app, "ASK {}", "", Some(JSON)).await;
    assert_eq!(
        other.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "another query finds the one slot taken"
    );
    let mut bodies = Vec::new();
    for asked in asks {
        let r = asked.await.expect("task");
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        bodies.push(r.body);
    }
    assert!(bodies.windows(2).all(|w| w[0] == w[1]));
    assert!(parse_json(&bodies[0]).1[0]["n"].parse::<u64>().is_ok());

    // Its first asker allows 0.3 s, but another waits for the answer: the
    // evaluation goes on, and both get it.
    let first = ask(slow("m"), "&timeout=0.3");
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let second = ask(slow("m"), "");
    let (first, second) = (first.await.expect("task"), second.await.expect("task"));
    assert_eq!(second.status, StatusCode::OK, "{}", second.text());
    assert_eq!(first.status, StatusCode::OK, "{}", first.text());
    assert_eq!(first.body, second.body);
    // Alone, the same limit stops it.
    let alone = get_query(&app, &slow("k"), "&timeout=0.3", Some(JSON)).await;
    assert_eq!(
        alone.status,
        StatusCode::GATEWAY_TIMEOUT,
        "{}",
        alone.text()
    );
}

#[tokio::test]
async fn the_examples_answers_are_made_ahead() {
    use bibia::query::{Format, Lookup};
    let store = crate::common::demo();
    let state = TestApp::state(store, Default::default());
    let engine = state.engine.clone();
    let ready = TestApp::serve_state(state.clone(), 16);
    let before = ready.get("/readyz", None).await;
    assert_eq!(before.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(before.text().contains("préparation"), "{}", before.text());
    // What `bibia serve` starts: the server is ready once they are made.
    bibia::http::warm_up(state.clone());
    let asked = std::time::Instant::now();
    while ready.get("/readyz", None).await.status != StatusCode::OK {
        assert!(asked.elapsed().as_secs() < 120, "not ready after 120 s");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        engine.cache().size().0,
        15,
        "every example's answer is kept"
    );
    let (kept, failed) = bibia::http::make_example_answers(&state).await;
    assert!(failed.is_empty(), "{failed:?}");
    assert_eq!(kept, 15);
    // Made again: nothing to evaluate.
    assert_eq!(bibia::http::make_example_answers(&state).await.0, 15);
    assert_eq!(engine.cache().size().0, 15);

    // Asked as a notebook asks (SPARQL JSON): the answer kept is sent.
    let text = include_str!("../../data/queries/01-projets-par-theme-et-region.rq");
    let parsed = spargebra::SparqlParser::new()
        .with_base_iri(common::BASE)
        .expect("base")
        .parse_query(text)
        .expect("parses");
    let key = engine
        .answer_key(
            text,
            &parsed,
            None,
            Format::Results(sparesults::QueryResultsFormat::Json),
        )
        .expect("kept");
    let Lookup::Hit(kept) = engine.cache().lookup(&key, std::time::Instant::now()) else {
        panic!("the first example's answer is kept");
    };
    let app = TestApp::serve_state(state, 16);
    let r = get_query(&app, text, "", Some(JSON)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("etag"), Some(key.etag.as_str()));
    assert_eq!(r.body, kept.bytes);
    assert!(!parse_json(&r.body).1.is_empty());
}

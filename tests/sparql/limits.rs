//! The limits: rows, time, concurrent queries, connections, slow or
//! vanished clients.

use super::*;

#[tokio::test]
async fn row_limit_cuts_and_says_so() {
    let _turn = crate::common::TIMING.lock().await;
    let app = TestApp::with_limits(common::demo(), limited(|l| l.max_rows = 5));
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
    let _turn = crate::common::TIMING.lock().await;
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
    let _turn = crate::common::TIMING.lock().await;
    let app = TestApp::with_limits(
        common::demo(),
        limited(|l| {
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
    let _turn = crate::common::TIMING.lock().await;
    let app = TestApp::with_limits(
        common::demo(),
        limited(|l| l.timeout = Duration::from_secs(1)),
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
    let _turn = crate::common::TIMING.lock().await;
    // No queue: a query that finds the slot taken is told so at once.
    let app = TestApp::with_limits(
        common::demo(),
        limited(|l| {
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
    let _turn = crate::common::TIMING.lock().await;
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let app = TestApp::with_limits(
        common::demo(),
        limited(|l| l.timeout = Duration::from_secs(1)),
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
    let _turn = crate::common::TIMING.lock().await;
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
    let _turn = crate::common::TIMING.lock().await;
    let app = TestApp::with_limits(
        common::demo(),
        limited(|l| {
            l.max_concurrent = 1;
            l.max_queued = 0;
            // Long enough for the product's first row on a busy machine
            // (oxigraph may build one side of it before the first row: 3 s
            // were once not enough, beside the rest of the suite).
            l.timeout = Duration::from_secs(10);
        }),
    );
    let big = format!(
        "/sparql?query={}&format=csv",
        enc("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }")
    );
    // Reads the head, then nothing: the socket buffers fill up.
    let (_tcp, read) = raw_get(&app, &big, 1).await;
    assert!(
        read.starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&read)
    );
    // Time limit (10 s) plus the watch's grace (1 s) plus a margin.
    slot_freed(&app, Duration::from_secs(14), "reader stalled").await;
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
    let _turn = crate::common::TIMING.lock().await;
    // One slot: the next query is answered only once the evaluation of the
    // previous one has really ended.
    let app = TestApp::with_limits(
        common::demo(),
        limited(|l| {
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

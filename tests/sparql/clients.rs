//! What real SPARQL clients do to the endpoint: the Python clients
//! researchers use (SPARQLWrapper, rdflib's SPARQLStore) with their format
//! names, long queries by POST on a kept-alive connection, bodies over the
//! limit, and bursts of many clients at once.

use crate::common::{self, TestApp};
use axum::body::Body;
use axum::http::{Request, Response, StatusCode};
use bibia::config::QueryLimits;
use http_body_util::BodyExt as _;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use std::process::Command;

const PROJECT: &str = "http://localhost:8080/id/projet/metropole-de-lyon-chatbot-dechets";
const USE_CASE: &str = "https://w3id.org/bibia/def#UseCase";

/// One kept-alive HTTP/1.1 connection to the app.
struct Connection {
    sender: hyper::client::conn::http1::SendRequest<Body>,
}

impl Connection {
    async fn open(app: &TestApp) -> Self {
        let tcp = tokio::net::TcpStream::connect(app.addr())
            .await
            .expect("connects");
        let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(tcp))
            .await
            .expect("handshake");
        tokio::spawn(connection);
        Self { sender }
    }

    /// `ASK {}` on this connection, which must answer 200 (`why` says
    /// what the test expects of the connection).
    async fn ask(&mut self, why: &str) {
        let (r, _) = self
            .send(request(
                "GET",
                "/sparql?query=ASK%7B%7D",
                None,
                String::new(),
            ))
            .await
            .expect(why);
        assert_eq!(r.status(), StatusCode::OK, "{why}");
    }

    /// Sends a request on this connection and reads the whole answer;
    /// `None` when the connection broke.
    async fn send(&mut self, request: Request<Body>) -> Option<(Response<()>, String)> {
        self.sender.ready().await.ok()?;
        let response: Response<Incoming> = self.sender.send_request(request).await.ok()?;
        let (parts, body) = response.into_parts();
        let body = body.collect().await.ok()?.to_bytes();
        Some((
            Response::from_parts(parts, ()),
            String::from_utf8_lossy(&body).into_owned(),
        ))
    }
}

fn request(method: &str, uri: &str, content_type: Option<&str>, body: String) -> Request<Body> {
    let mut r = Request::builder()
        .method(method)
        .uri(uri)
        .header("host", "localhost")
        .header("accept", "application/sparql-results+json");
    if let Some(t) = content_type {
        r = r.header("content-type", t);
    }
    r.body(Body::from(body)).expect("request")
}

fn form(query: &str) -> String {
    serde_urlencoded::to_string([("query", query)]).expect("form")
}

/// A COUNT of the use cases among a `VALUES` list of `n` IRIs, the demo's
/// project first: the answer is 1 whatever `n`.
fn long_query(n: usize) -> String {
    let mut q = format!("SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?p {{ <{PROJECT}>");
    for i in 0..n {
        q.push_str(&format!(
            " <http://localhost:8080/id/projet/inconnu-{i:06}>"
        ));
    }
    q.push_str(&format!(" }} ?p a <{USE_CASE}> }}"));
    q
}

fn count(body: &str) -> u64 {
    let v: serde_json::Value = serde_json::from_str(body).expect("SPARQL JSON");
    v["results"]["bindings"][0]["n"]["value"]
        .as_str()
        .and_then(|n| n.parse().ok())
        .expect("a count")
}

#[tokio::test]
async fn a_200_kb_query_by_form_and_by_body_then_the_next_request_on_the_same_connection() {
    let app = TestApp::demo();
    let query = long_query(4_200);
    assert!(query.len() > 200_000, "{} bytes", query.len());
    let mut c = Connection::open(&app).await;
    let (r, body) = c
        .send(request(
            "POST",
            "/sparql",
            Some("application/x-www-form-urlencoded"),
            form(&query),
        ))
        .await
        .expect("answered");
    assert_eq!(r.status(), StatusCode::OK, "{body}");
    assert_eq!(count(&body), 1);
    let (r, body) = c
        .send(request(
            "POST",
            "/sparql",
            Some("application/sparql-query"),
            query.clone(),
        ))
        .await
        .expect("the same connection serves the next request");
    assert_eq!(r.status(), StatusCode::OK, "{body}");
    assert_eq!(count(&body), 1);
    c.ask("and the one after").await;
}

#[tokio::test]
async fn a_body_over_the_limit_gets_413_and_the_next_request_works() {
    let limits = QueryLimits {
        max_body: 100_000,
        ..QueryLimits::default()
    };
    let app = TestApp::with_limits(common::demo(), limits);
    let query = long_query(4_000);
    for (content_type, body) in [
        ("application/x-www-form-urlencoded", form(&query)),
        ("application/sparql-query", query.clone()),
    ] {
        let mut c = Connection::open(&app).await;
        let (r, text) = c
            .send(request("POST", "/sparql", Some(content_type), body))
            .await
            .expect("answered, not cut off");
        assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE, "{text}");
        assert!(
            text.starts_with(
                "Erreur 413 : le corps de la requête dépasse la limite de 100000 octets"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "Error 413 (Payload Too Large): the request body exceeds the limit of 100000 bytes"
            ),
            "{text}"
        );
        // The same connection, unless the answer closed it, and a new one.
        let closed = r.headers().get("connection").is_some_and(|v| v == "close");
        if !closed {
            c.ask("a connection kept open serves the next request")
                .await;
        }
        let mut c = Connection::open(&app).await;
        c.ask("a new connection works").await;
    }
    // Just under the limit is a query like any other.
    let query = long_query(1_800);
    assert!(query.len() < 100_000);
    let mut c = Connection::open(&app).await;
    let (r, body) = c
        .send(request(
            "POST",
            "/sparql",
            Some("application/sparql-query"),
            query,
        ))
        .await
        .expect("answered");
    assert_eq!(r.status(), StatusCode::OK, "{body}");
}

#[tokio::test]
async fn a_refused_body_does_not_break_the_connection() {
    let app = TestApp::demo();
    let mut c = Connection::open(&app).await;
    let refusals = [
        (
            "text/turtle",
            "<urn:a> <urn:b> <urn:c> .".repeat(2_000),
            StatusCode::FORBIDDEN,
        ),
        (
            "application/sparql-update",
            "INSERT DATA { <urn:a> <urn:b> <urn:c> }".to_owned(),
            StatusCode::FORBIDDEN,
        ),
        (
            "image/png",
            "x".repeat(50_000),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            "application/sparql-query",
            "SELECT * WHERE { ?s ?p }".to_owned(),
            StatusCode::BAD_REQUEST,
        ),
    ];
    for (content_type, body, status) in refusals {
        let (r, text) = c
            .send(request("POST", "/sparql", Some(content_type), body))
            .await
            .expect("answered");
        assert_eq!(r.status(), status, "{content_type}: {text}");
        let (fr, en) = text.split_once('\n').expect("two lines");
        assert!(
            fr.starts_with(&format!("Erreur {} : ", status.as_u16())),
            "{text}"
        );
        assert!(
            en.starts_with(&format!("Error {} (", status.as_u16())),
            "{text}"
        );
        assert!(
            r.headers().get("connection").is_none(),
            "the body was read, the connection stays open"
        );
        c.ask("the next request on the same connection").await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixty_four_clients_at_once_are_all_answered() {
    let _turn = crate::common::TIMING.lock().await;
    let app = TestApp::demo();
    let describe = format!(
        "/sparql?query=DESCRIBE%20%3C{}%3E",
        PROJECT.replace(':', "%3A")
    );
    let clients: Vec<_> = (0..64)
        .map(|_| {
            let app = app.clone();
            let uri = describe.clone();
            tokio::spawn(async move {
                let mut c = Connection::open(&app).await;
                let mut statuses = Vec::new();
                for _ in 0..100 {
                    let r = c
                        .send(
                            Request::get(&uri)
                                .header("host", "localhost")
                                .header("accept", "text/turtle")
                                .body(Body::empty())
                                .expect("request"),
                        )
                        .await;
                    statuses.push(r.map(|(r, body)| (r.status(), body.len())));
                }
                statuses
            })
        })
        .collect();
    let mut answers = 0;
    for client in clients {
        for answer in client.await.expect("client") {
            let (status, len) = answer.expect("no connection error");
            assert_eq!(status, StatusCode::OK);
            assert!(len > 500, "a description, {len} bytes");
            answers += 1;
        }
    }
    assert_eq!(answers, 6_400);
}

#[tokio::test]
async fn a_full_queue_or_a_wait_past_the_limit_gets_503() {
    let _turn = crate::common::TIMING.lock().await;
    // No slot and no place in the queue: refused at once.
    let app = TestApp::with_limits(
        common::demo(),
        QueryLimits {
            max_concurrent: 0,
            max_queued: 0,
            ..QueryLimits::default()
        },
    );
    let r = app.get("/sparql?query=ASK%7B%7D", None).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.header("retry-after").is_some());
    assert!(
        r.text().contains("file d'attente est pleine"),
        "{}",
        r.text()
    );
    // A place in the queue, but no slot frees up before the time limit.
    let app = TestApp::with_limits(
        common::demo(),
        QueryLimits {
            max_concurrent: 0,
            max_queued: 1,
            timeout: std::time::Duration::from_millis(300),
            ..QueryLimits::default()
        },
    );
    let r = app.get("/sparql?query=ASK%7B%7D", None).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.header("retry-after").is_some());
    assert!(r.text().contains("avant le temps limite"), "{}", r.text());
    assert!(
        r.text().contains("before the query's time limit"),
        "{}",
        r.text()
    );
}

/// SPARQLWrapper and rdflib's SPARQLStore (PyPI), run by
/// `tests/clients/sparql_clients.py` against the real `bibia serve` on its
/// demo data. `scripts/test.sh` installs them; without them the test is
/// skipped outside CI and fails in CI.
#[test]
fn python_sparql_clients_against_bibia_serve() {
    let _turn = crate::common::TIMING.blocking_lock();
    let python = std::env::var("BIBIA_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/clients/sparql_clients.py"
    );
    let served = common::Served::start(&["--base-iri", common::BASE]);
    let output = Command::new(&python)
        .arg(script)
        .arg(format!("http://{}/sparql", served.addr))
        .arg(common::BASE)
        .output();
    let output = match output {
        Ok(o) => o,
        Err(e) if std::env::var_os("CI").is_none() => {
            println!("skipped: {python} not found ({e})");
            return;
        }
        Err(e) => panic!("{python} not found ({e}): scripts/test.sh installs the clients"),
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    if output.status.code() == Some(3) {
        assert!(
            std::env::var_os("CI").is_none(),
            "SPARQLWrapper or rdflib missing in CI: {stdout}"
        );
        println!("skipped: {stdout}");
        return;
    }
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("tous les clients SPARQL : ok"), "{stdout}");
}

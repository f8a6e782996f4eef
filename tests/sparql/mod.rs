//! The public SPARQL endpoint: the protocol (methods, parameters, formats,
//! statuses), the limits, the cache of answers, the example queries on the demo data, an
//! adversarial battery that tries to reach restricted data, and what real
//! clients do. This file holds the helpers the surfaces share.

mod adversarial;
mod cache;
mod clients;
mod examples;
mod limits;
mod protocol;

use crate::common::{self, BASE, TestApp, TestResponse, enc};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use bibia::config::QueryLimits;
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{NamedNode, Term};
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, Instant};

const JSON: &str = "application/sparql-results+json";

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

/// The default limits, changed by `f`, without the cache of answers: the
/// tests of limits watch queries being evaluated (a probe such as `ASK {}`
/// answered from the cache would not need a slot).
fn limited(f: impl FnOnce(&mut QueryLimits)) -> QueryLimits {
    let mut l = QueryLimits {
        answer_cache: 0,
        ..QueryLimits::default()
    };
    f(&mut l);
    l
}

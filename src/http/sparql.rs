//! The public SPARQL 1.1 endpoint (`/sparql`): the Protocol's query
//! operation over the public projection only, the Service Description and
//! a query page on a bare GET, and a French 403 for every write (Update and
//! Graph Store).
//!
//! The handlers only read the protocol (method, content type, parameters)
//! into a [`QueryJob`]; [`eval`] evaluates it on the connection's thread
//! and streams the answer.

mod eval;
mod examples;
mod page;
mod service;
mod watch;
mod watchdog;

pub(crate) use watch::Watch;

use super::negotiate::{self, Offer};
use super::server::Client;
use super::{AppState, HttpError};
use axum::body::Bytes;
use axum::extract::{Extension, FromRequest as _, Query, Request, State};
use axum::http::{HeaderMap, Uri, header};
use axum::response::{IntoResponse, Response};
use oxigraph::io::{JsonLdProfileSet, RdfFormat};
use oxigraph::model::{GraphName, NamedNode, NamedOrBlankNode};
use oxigraph::sparql::QueryDataset;
use sparesults::QueryResultsFormat;
use std::time::Duration;

use eval::{OutFormat, QueryJob};

/// Media type of a SPARQL query sent as the request body.
const SPARQL_QUERY: &str = "application/sparql-query";
/// Media type of a SPARQL update sent as the request body.
const SPARQL_UPDATE: &str = "application/sparql-update";
/// Media type of an HTML form.
const FORM: &str = "application/x-www-form-urlencoded";

/// Media types of RDF data: a POST of these is a Graph Store write.
const RDF_TYPES: &[&str] = &[
    "text/turtle",
    "application/n-triples",
    "application/n-quads",
    "application/trig",
    "application/ld+json",
    "application/rdf+xml",
    "text/n3",
];

/// The French refusal of every write on the public endpoint.
const READ_ONLY: &str = "Le point d'accès SPARQL public est en lecture seule : SPARQL Update et les écritures \
     du protocole Graph Store (PUT, POST de données, DELETE) y sont refusés. Les modifications passent par \
     les éditeurs du réseau (commande `bibia load` ou `bibia import`).";

/// Formats of `SELECT` and `ASK` results, in the server's order of preference.
const RESULT_OFFERS: &[Offer<OutFormat>] = &[
    Offer {
        value: OutFormat::Results(QueryResultsFormat::Json),
        media_type: "application/sparql-results+json",
        aliases: &["application/json"],
        short: "json",
    },
    Offer {
        value: OutFormat::Results(QueryResultsFormat::Xml),
        media_type: "application/sparql-results+xml",
        aliases: &["application/xml", "text/xml"],
        short: "xml",
    },
    Offer {
        value: OutFormat::Results(QueryResultsFormat::Csv),
        media_type: "text/csv",
        aliases: &[],
        short: "csv",
    },
    Offer {
        value: OutFormat::Results(QueryResultsFormat::Tsv),
        media_type: "text/tab-separated-values",
        aliases: &[],
        short: "tsv",
    },
];

/// Formats of `CONSTRUCT` and `DESCRIBE` results (and of the Service
/// Description), in the server's order of preference.
const GRAPH_OFFERS: &[Offer<OutFormat>] = &[
    Offer {
        value: OutFormat::Graph(RdfFormat::Turtle),
        media_type: "text/turtle",
        aliases: &["application/x-turtle"],
        short: "ttl",
    },
    Offer {
        value: OutFormat::Graph(RdfFormat::NTriples),
        media_type: "application/n-triples",
        aliases: &["text/plain"],
        short: "nt",
    },
    Offer {
        value: OutFormat::Graph(RdfFormat::NQuads),
        media_type: "application/n-quads",
        aliases: &[],
        short: "nq",
    },
    Offer {
        value: OutFormat::Graph(RdfFormat::JsonLd {
            profile: JsonLdProfileSet::empty(),
        }),
        media_type: "application/ld+json",
        aliases: &[],
        short: "jsonld",
    },
    Offer {
        value: OutFormat::Graph(RdfFormat::RdfXml),
        media_type: "application/rdf+xml",
        aliases: &[],
        short: "rdf",
    },
];

/// What a bare GET on `/sparql` can answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Description {
    Rdf(RdfFormat),
    Html,
}

const DESCRIPTION_OFFERS: &[Offer<Description>] = &[
    Offer {
        value: Description::Rdf(RdfFormat::Turtle),
        media_type: "text/turtle",
        aliases: &[],
        short: "ttl",
    },
    Offer {
        value: Description::Html,
        media_type: "text/html",
        aliases: &["application/xhtml+xml"],
        short: "html",
    },
    Offer {
        value: Description::Rdf(RdfFormat::NTriples),
        media_type: "application/n-triples",
        aliases: &[],
        short: "nt",
    },
    Offer {
        value: Description::Rdf(RdfFormat::NQuads),
        media_type: "application/n-quads",
        aliases: &[],
        short: "nq",
    },
    Offer {
        value: Description::Rdf(RdfFormat::JsonLd {
            profile: JsonLdProfileSet::empty(),
        }),
        media_type: "application/ld+json",
        aliases: &[],
        short: "jsonld",
    },
    Offer {
        value: Description::Rdf(RdfFormat::RdfXml),
        media_type: "application/rdf+xml",
        aliases: &[],
        short: "rdf",
    },
];

/// The protocol parameters of one request, from the query string and, for
/// a form, the body.
#[derive(Debug, Default)]
struct Params {
    query: Option<String>,
    update: bool,
    default_graphs: Vec<String>,
    named_graphs: Vec<String>,
    timeout: Option<String>,
    format: Option<String>,
}

impl Params {
    fn add(&mut self, pairs: Vec<(String, String)>) -> Result<(), HttpError> {
        for (key, value) in pairs {
            match key.as_str() {
                "query" if self.query.is_some() => {
                    return Err(HttpError::BadRequest(
                        "un seul paramètre `query` est permis par requête".into(),
                    ));
                }
                "query" => self.query = Some(value),
                "update" | "using-graph-uri" | "using-named-graph-uri" => self.update = true,
                "default-graph-uri" => self.default_graphs.push(value),
                "named-graph-uri" => self.named_graphs.push(value),
                "timeout" => self.timeout = Some(value),
                "format" | "output" => self.format = Some(value),
                _ => {}
            }
        }
        Ok(())
    }

    fn from_uri(uri: &Uri) -> Result<Self, HttpError> {
        let mut params = Self::default();
        params.add(pairs_of_uri(uri)?)?;
        Ok(params)
    }
}

fn pairs_of_uri(uri: &Uri) -> Result<Vec<(String, String)>, HttpError> {
    Query::<Vec<(String, String)>>::try_from_uri(uri)
        .map(|Query(pairs)| pairs)
        .map_err(|e| HttpError::BadRequest(format!("paramètres d'URL illisibles : {e}")))
}

/// `GET /sparql`: a query in `query=`, or, without it, the Service
/// Description (RDF) or the query page (HTML).
pub(crate) async fn get(
    State(state): State<AppState>,
    client: Option<Extension<Client>>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, HttpError> {
    let mut params = Params::from_uri(&uri)?;
    if params.update {
        return Err(HttpError::Forbidden(READ_ONLY.into()));
    }
    match params.query.take() {
        Some(query) => run(&state, &headers, params, query, client.map(|c| c.0)),
        None => describe(&state, &headers, params.format.as_deref()),
    }
}

/// `POST /sparql`: a form (`query=`) or a query as the body
/// (`application/sparql-query`); updates are refused.
pub(crate) async fn post(
    State(state): State<AppState>,
    request: Request,
) -> Result<Response, HttpError> {
    let headers = request.headers().clone();
    let client = request.extensions().get::<Client>().cloned();
    let mut params = Params::from_uri(request.uri())?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default();
    let query = match content_type.as_str() {
        FORM => {
            let body = read_body(request, &state).await?;
            let pairs = Query::<Vec<(String, String)>>::try_from_uri(
                &Uri::builder()
                    .path_and_query(format!("/?{}", String::from_utf8_lossy(&body)))
                    .build()
                    .map_err(|_| HttpError::BadRequest("formulaire illisible".into()))?,
            )
            .map(|Query(p)| p)
            .map_err(|e| HttpError::BadRequest(format!("formulaire illisible : {e}")))?;
            params.add(pairs)?;
            if params.update {
                return Err(HttpError::Forbidden(READ_ONLY.into()));
            }
            params.query.take().ok_or_else(|| {
                HttpError::BadRequest(
                    "paramètre `query` manquant dans le formulaire (SPARQL 1.1 Protocol)".into(),
                )
            })?
        }
        SPARQL_QUERY => {
            if params.query.is_some() {
                return Err(HttpError::BadRequest(
                    "requête envoyée à la fois dans le corps et dans le paramètre `query`".into(),
                ));
            }
            let body = read_body(request, &state).await?;
            String::from_utf8(body.to_vec()).map_err(|_| {
                HttpError::BadRequest("la requête doit être encodée en UTF-8".into())
            })?
        }
        SPARQL_UPDATE => return Err(HttpError::Forbidden(READ_ONLY.into())),
        // A Graph Store write (RDF data posted to the endpoint).
        t if RDF_TYPES.contains(&t) => return Err(HttpError::Forbidden(READ_ONLY.into())),
        _ if params.update => return Err(HttpError::Forbidden(READ_ONLY.into())),
        "" => {
            return Err(HttpError::UnsupportedMediaType(format!(
                "en-tête Content-Type manquant : envoyez `{SPARQL_QUERY}` ou `{FORM}`"
            )));
        }
        other => {
            return Err(HttpError::UnsupportedMediaType(format!(
                "type de contenu « {other} » non pris en charge : envoyez `{SPARQL_QUERY}` ou `{FORM}` \
                 (le point d'accès public n'accepte aucune donnée)"
            )));
        }
    };
    run(&state, &headers, params, query, client)
}

/// The body of a POST, which must arrive whole within the query time limit:
/// a client sending it slower does not hold its connection's thread longer.
async fn read_body(request: Request, state: &AppState) -> Result<Bytes, HttpError> {
    let limit = state.limits.timeout;
    tokio::time::timeout(limit, Bytes::from_request(request, state))
        .await
        .map_err(|_| {
            HttpError::SlowRequest(format!(
                "corps de requête non reçu en entier en {:.1} s : connexion fermée",
                limit.as_secs_f64()
            ))
        })?
        .map_err(|e| HttpError::BadRequest(format!("corps de requête illisible : {e}")))
}

/// Any write method on `/sparql` or on a Graph Store path: 403.
pub(crate) async fn refuse_write() -> HttpError {
    HttpError::Forbidden(READ_ONLY.into())
}

/// Parses, negotiates and evaluates one query, on the current thread.
fn run(
    state: &AppState,
    headers: &HeaderMap,
    params: Params,
    query: String,
    client: Option<Client>,
) -> Result<Response, HttpError> {
    let parsed = spargebra::SparqlParser::new()
        .with_base_iri(state.base.as_str())
        .map_err(|e| HttpError::Internal(e.to_string()))?
        .parse_query(&query)
        .map_err(|e| HttpError::BadRequest(syntax_message(&e.to_string())))?;
    let offers = match parsed {
        spargebra::Query::Select { .. } | spargebra::Query::Ask { .. } => RESULT_OFFERS,
        spargebra::Query::Construct { .. } | spargebra::Query::Describe { .. } => GRAPH_OFFERS,
    };
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    let format = negotiate::choose(accept, params.format.as_deref(), offers)?;
    service::check(&parsed, &state.limits.service_allow)?;
    let dataset = protocol_dataset(&params.default_graphs, &params.named_graphs)?;
    let timeout = effective_timeout(params.timeout.as_deref(), state.limits.timeout)?;
    let job = QueryJob {
        query: parsed,
        dataset,
        format,
        max_rows: state.limits.max_rows,
        timeout,
        service_allow: state.limits.service_allow.clone(),
    };
    eval::run(state, job, client)
}

/// `error at 3:7: expected ...` → a French message with the position.
fn syntax_message(raw: &str) -> String {
    let rest = raw.strip_prefix("error at ").and_then(|r| {
        let (pos, msg) = r.split_once(": ")?;
        let (line, col) = pos.split_once(':')?;
        Some(format!("ligne {line}, colonne {col} : {msg}"))
    });
    format!(
        "Requête SPARQL invalide, {}",
        rest.unwrap_or_else(|| raw.to_owned())
    )
}

/// The dataset given by `default-graph-uri` and `named-graph-uri`, which
/// replaces the query's own `FROM` and `FROM NAMED` (SPARQL 1.1 Protocol
/// §2.1.4). `None` when neither is given.
fn protocol_dataset(
    default: &[String],
    named: &[String],
) -> Result<Option<QueryDataset>, HttpError> {
    if default.is_empty() && named.is_empty() {
        return Ok(None);
    }
    let iri = |s: &String| {
        NamedNode::new(s.trim())
            .map_err(|e| HttpError::BadRequest(format!("IRI de graphe invalide « {s} » : {e}")))
    };
    let mut dataset = QueryDataset::new();
    dataset.set_default_graph(
        default
            .iter()
            .map(|s| iri(s).map(GraphName::from))
            .collect::<Result<_, _>>()?,
    );
    // SPARQL 1.1 Protocol §2.1.4: once either parameter is given, the
    // dataset is exactly what the two parameters name (no named graph when
    // only `default-graph-uri` is given).
    dataset.set_available_named_graphs(
        named
            .iter()
            .map(|s| iri(s).map(NamedOrBlankNode::from))
            .collect::<Result<_, _>>()?,
    );
    Ok(Some(dataset))
}

/// The server limit, lowered by `timeout=` (seconds, decimals allowed).
fn effective_timeout(requested: Option<&str>, limit: Duration) -> Result<Duration, HttpError> {
    let Some(raw) = requested.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(limit);
    };
    let secs: f64 = raw
        .parse()
        .ok()
        .filter(|s: &f64| s.is_finite() && *s > 0.0)
        .ok_or_else(|| HttpError::BadRequest(format!("paramètre `timeout` invalide « {raw} » : attendu un nombre de secondes positif, par exemple 2.5")))?;
    Ok(Duration::from_secs_f64(secs.min(limit.as_secs_f64())).max(Duration::from_millis(1)))
}

/// A bare GET: the Service Description or, for a browser, the query page.
fn describe(
    state: &AppState,
    headers: &HeaderMap,
    format: Option<&str>,
) -> Result<Response, HttpError> {
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    let response = match negotiate::choose(accept, format, DESCRIPTION_OFFERS)? {
        Description::Html => page::html(state).into_response(),
        Description::Rdf(format) => {
            let body = page::service_description(state, format)?;
            ([(header::CONTENT_TYPE, format.media_type())], body).into_response()
        }
    };
    let mut response = response;
    response
        .headers_mut()
        .insert(header::VARY, header::HeaderValue::from_static("Accept"));
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeout_only_lowers_the_limit() {
        let limit = Duration::from_secs(30);
        assert_eq!(effective_timeout(None, limit).unwrap(), limit);
        assert_eq!(
            effective_timeout(Some("2.5"), limit).unwrap(),
            Duration::from_millis(2500)
        );
        assert_eq!(effective_timeout(Some("300"), limit).unwrap(), limit);
        for bad in ["-1", "0", "abc", "NaN", "inf"] {
            assert!(effective_timeout(Some(bad), limit).is_err(), "{bad}");
        }
    }

    #[test]
    fn syntax_errors_keep_the_position() {
        assert_eq!(
            syntax_message("error at 2:5: expected one of \"{\""),
            "Requête SPARQL invalide, ligne 2, colonne 5 : expected one of \"{\""
        );
    }
}

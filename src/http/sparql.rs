//! The public SPARQL 1.1 endpoint (`/sparql`): the Protocol's query
//! operation over the public projection only, the Service Description and
//! a query page on a bare GET, and a French 403 for every write (Update and
//! Graph Store).
//!
//! The handlers only read the protocol (method, content type, parameters)
//! into a [`Job`] for the [`crate::query`] engine, which evaluates it on the
//! connection's thread; [`body`] streams the answer.

pub(crate) mod body;
pub(crate) mod examples;
mod page;

use super::negotiate::{self, Offer};
use super::server::Client;
use super::{AppState, HttpError, Message};
use axum::extract::{Extension, Request, State};
use axum::http::{HeaderMap, Uri, header};
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt as _;
use oxigraph::io::{JsonLdProfileSet, RdfFormat};
use oxigraph::model::{GraphName, NamedNode, NamedOrBlankNode};
use oxigraph::sparql::QueryDataset;
use sparesults::QueryResultsFormat;
use std::sync::Arc;
use std::time::Duration;

use crate::query::{Format as OutFormat, Job, Leading, Lookup, QueryError};

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

/// The same in English.
const READ_ONLY_EN: &str = "The public SPARQL endpoint is read-only: SPARQL Update and Graph Store \
     writes (PUT, POST of data, DELETE) are refused. Changes go through the network's editors.";

/// Formats of `SELECT` and `ASK` results, in the server's order of preference.
const RESULT_OFFERS: &[Offer<OutFormat>] = &[
    Offer {
        value: OutFormat::Results(QueryResultsFormat::Json),
        media_type: "application/sparql-results+json",
        aliases: &["application/json"],
        names: &["json", "srj", "sparql-results+json"],
    },
    Offer {
        value: OutFormat::Results(QueryResultsFormat::Xml),
        media_type: "application/sparql-results+xml",
        aliases: &["application/xml", "text/xml"],
        names: &["xml", "srx", "sparql", "sparql-results+xml"],
    },
    Offer {
        value: OutFormat::Results(QueryResultsFormat::Csv),
        media_type: "text/csv",
        aliases: &[],
        names: &["csv"],
    },
    Offer {
        value: OutFormat::Results(QueryResultsFormat::Tsv),
        media_type: "text/tab-separated-values",
        aliases: &[],
        names: &["tsv"],
    },
];

/// Formats of `CONSTRUCT` and `DESCRIBE` results (and of the Service
/// Description), in the server's order of preference.
const GRAPH_OFFERS: &[Offer<OutFormat>] = &[
    Offer {
        value: OutFormat::Graph(RdfFormat::Turtle),
        media_type: "text/turtle",
        aliases: &[
            "application/x-turtle",
            "application/turtle",
            "text/n3",
            "text/rdf+n3",
        ],
        // N3 clients read Turtle, a subset of N3.
        names: &["ttl", "turtle", "n3"],
    },
    Offer {
        value: OutFormat::Graph(RdfFormat::NTriples),
        media_type: "application/n-triples",
        aliases: &["text/plain"],
        names: &["nt", "ntriples", "n-triples"],
    },
    Offer {
        value: OutFormat::Graph(RdfFormat::NQuads),
        media_type: "application/n-quads",
        aliases: &["text/x-nquads"],
        names: &["nq", "nquads", "n-quads"],
    },
    Offer {
        value: OutFormat::Graph(RdfFormat::JsonLd {
            profile: JsonLdProfileSet::empty(),
        }),
        media_type: "application/ld+json",
        aliases: &["application/json"],
        // `json` for a graph means JSON-LD (Virtuoso, SPARQLWrapper).
        names: &["jsonld", "json-ld", "json"],
    },
    Offer {
        value: OutFormat::Graph(RdfFormat::RdfXml),
        media_type: "application/rdf+xml",
        aliases: &["application/xml", "text/xml"],
        // `xml` for a graph means RDF/XML (SPARQLWrapper's default).
        names: &["rdf", "rdfxml", "rdf+xml", "rdf/xml", "xml"],
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
        aliases: &["application/x-turtle"],
        names: &["ttl", "turtle", "n3"],
    },
    Offer {
        value: Description::Html,
        media_type: "text/html",
        aliases: &["application/xhtml+xml"],
        names: &["html"],
    },
    Offer {
        value: Description::Rdf(RdfFormat::NTriples),
        media_type: "application/n-triples",
        aliases: &[],
        names: &["nt", "ntriples", "n-triples"],
    },
    Offer {
        value: Description::Rdf(RdfFormat::NQuads),
        media_type: "application/n-quads",
        aliases: &[],
        names: &["nq", "nquads", "n-quads"],
    },
    Offer {
        value: Description::Rdf(RdfFormat::JsonLd {
            profile: JsonLdProfileSet::empty(),
        }),
        media_type: "application/ld+json",
        aliases: &[],
        names: &["jsonld", "json-ld", "json"],
    },
    Offer {
        value: Description::Rdf(RdfFormat::RdfXml),
        media_type: "application/rdf+xml",
        aliases: &[],
        names: &["rdf", "rdfxml", "rdf+xml", "rdf/xml", "xml"],
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
    /// `format`, `output` and `results` values, in order (clients send
    /// several: see [`negotiate::choose`]).
    formats: Vec<String>,
}

impl Params {
    fn add(&mut self, pairs: Vec<(String, String)>) -> Result<(), HttpError> {
        for (key, value) in pairs {
            match key.as_str() {
                "query" if self.query.is_some() => {
                    return Err(HttpError::BadRequest(Message::new(
                        "un seul paramètre `query` est permis par requête",
                        "only one `query` parameter is allowed per request",
                    )));
                }
                "query" => self.query = Some(value),
                "update" | "using-graph-uri" | "using-named-graph-uri" => self.update = true,
                "default-graph-uri" => self.default_graphs.push(value),
                "named-graph-uri" => self.named_graphs.push(value),
                "timeout" => self.timeout = Some(value),
                "format" | "output" | "results" => self.formats.push(value),
                _ => {}
            }
        }
        Ok(())
    }

    fn from_uri(uri: &Uri) -> Result<Self, HttpError> {
        let mut params = Self::default();
        params.add(pairs(
            uri.query().unwrap_or("").as_bytes(),
            "de l'URL",
            "URL",
        )?)?;
        Ok(params)
    }
}

/// The `name=value` pairs of a query string or a form body.
fn pairs(
    encoded: &[u8],
    where_fr: &str,
    where_en: &str,
) -> Result<Vec<(String, String)>, HttpError> {
    super::urlencoded::pairs(encoded).map_err(|e| {
        HttpError::BadRequest(Message::new(
            format!("paramètres {where_fr} illisibles : {}", e.fr),
            format!("unreadable {where_en} parameters: {}", e.en),
        ))
    })
}

fn read_only() -> HttpError {
    HttpError::Forbidden(Message::new(READ_ONLY, READ_ONLY_EN))
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
        return Err(read_only());
    }
    match params.query.take() {
        Some(query) => run(&state, &headers, params, query, client.map(|c| c.0)).await,
        None => describe(&state, &headers, &params.formats),
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
            params.add(pairs(&body, "du formulaire", "form")?)?;
            if params.update {
                return Err(read_only());
            }
            params.query.take().ok_or_else(|| {
                HttpError::BadRequest(Message::new(
                    "paramètre `query` manquant dans le formulaire (SPARQL 1.1 Protocol)",
                    "the form has no `query` parameter (SPARQL 1.1 Protocol)",
                ))
            })?
        }
        SPARQL_QUERY => {
            if params.query.is_some() {
                return Err(HttpError::BadRequest(Message::new(
                    "requête envoyée à la fois dans le corps et dans le paramètre `query`",
                    "the query was sent both as the body and in the `query` parameter",
                )));
            }
            let body = read_body(request, &state).await?;
            String::from_utf8(body).map_err(|_| {
                HttpError::BadRequest(Message::new(
                    "la requête doit être encodée en UTF-8",
                    "the query must be encoded in UTF-8",
                ))
            })?
        }
        SPARQL_UPDATE => return Err(read_only()),
        // A Graph Store write (RDF data posted to the endpoint).
        t if RDF_TYPES.contains(&t) => return Err(read_only()),
        _ if params.update => return Err(read_only()),
        "" => {
            return Err(HttpError::UnsupportedMediaType(Message::new(
                format!("en-tête Content-Type manquant : envoyez `{SPARQL_QUERY}` ou `{FORM}`"),
                format!("missing Content-Type header: send `{SPARQL_QUERY}` or `{FORM}`"),
            )));
        }
        other => {
            return Err(HttpError::UnsupportedMediaType(Message::new(
                format!(
                    "type de contenu « {other} » non pris en charge : envoyez `{SPARQL_QUERY}` ou `{FORM}` \
                     (le point d'accès public n'accepte aucune donnée)"
                ),
                format!(
                    "content type “{other}” is not supported: send `{SPARQL_QUERY}` or `{FORM}` \
                     (the public endpoint accepts no data)"
                ),
            )));
        }
    };
    run(&state, &headers, params, query, client).await
}

/// The body of a POST, at most `max_body` bytes (413 past it, as soon as
/// `Content-Length` or the bytes received say so), which must arrive whole
/// within the query time limit: a client sending it slower does not hold
/// its connection's thread longer (408).
async fn read_body(request: Request, state: &AppState) -> Result<Vec<u8>, HttpError> {
    let max = state.limits().max_body;
    let too_large = || {
        HttpError::TooLarge(Message::new(
            format!(
                "le corps de la requête dépasse la limite de {max} octets ; \
                 envoyez une requête plus courte (par exemple, découpez une longue liste VALUES)"
            ),
            format!(
                "the request body exceeds the limit of {max} bytes; \
                 send a shorter query (for example, split a long VALUES list)"
            ),
        ))
    };
    let announced = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if announced.is_some_and(|n| n > max as u64) {
        return Err(too_large());
    }
    let mut body = request.into_body();
    let read = async {
        let mut bytes = Vec::with_capacity(announced.map_or(0, |n| n as usize));
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|e| {
                HttpError::BadRequest(Message::new(
                    format!("corps de requête illisible : {e}"),
                    format!("unreadable request body: {e}"),
                ))
            })?;
            if let Some(data) = frame.data_ref() {
                if bytes.len() + data.len() > max {
                    return Err(too_large());
                }
                bytes.extend_from_slice(data);
            }
        }
        Ok(bytes)
    };
    let limit = state.limits().timeout;
    tokio::time::timeout(limit, read).await.map_err(|_| {
        let secs = limit.as_secs_f64();
        HttpError::SlowRequest(Message::new(
            format!("corps de requête non reçu en entier en {secs:.1} s : connexion fermée"),
            format!("the request body did not arrive whole within {secs:.1} s: connection closed"),
        ))
    })?
}

/// Any write method on `/sparql` or on a Graph Store path: 403.
pub(crate) async fn refuse_write() -> HttpError {
    read_only()
}

/// Parses, negotiates and evaluates one query, on the current thread.
async fn run(
    state: &AppState,
    headers: &HeaderMap,
    params: Params,
    query: String,
    client: Option<Client>,
) -> Result<Response, HttpError> {
    // Before parsing: too deep a query would overflow the parser's stack
    // and abort the server (see `query::Shape`).
    let shape = crate::query::Shape::of(&query)
        .check()
        .map_err(query_error)?;
    let parsed = spargebra::SparqlParser::new()
        .with_base_iri(state.base.as_str())
        .map_err(HttpError::internal)?
        .parse_query(&query)
        .map_err(|e| HttpError::BadRequest(syntax_message(&e.to_string())))?;
    let offers = match parsed {
        spargebra::Query::Select { .. } | spargebra::Query::Ask { .. } => RESULT_OFFERS,
        spargebra::Query::Construct { .. } | spargebra::Query::Describe { .. } => GRAPH_OFFERS,
    };
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    let format = negotiate::choose(accept, &params.formats, offers)?;
    state.engine.check_service(&parsed).map_err(query_error)?;
    let dataset = protocol_dataset(&params.default_graphs, &params.named_graphs)?;
    let timeout = effective_timeout(params.timeout.as_deref(), state.limits().timeout)?;
    let job = Job {
        query: parsed,
        dataset,
        format,
        timeout,
        planned: shape.planned(),
    };
    // The same query over the same data: its answer is known.
    let key = state
        .engine
        .answer_key(&query, &job.query, job.dataset.as_ref(), format);
    let deadline = std::time::Instant::now() + timeout.min(state.limits().timeout);
    let mut lead = None;
    if let Some(key) = &key {
        let bare = key.etag.trim_start_matches("W/").trim_matches('"');
        let current = headers
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| super::cache::etag_matches(v, bare));
        if current {
            return Ok(body::not_modified(&key.etag));
        }
        // Asked by others at the same time: evaluated once, by the first.
        loop {
            match state.engine.cache().lookup(key, deadline) {
                Lookup::Hit(hit) => {
                    return Ok(body::cached(
                        hit,
                        format,
                        state.limits().max_rows,
                        &key.etag,
                    ));
                }
                Lookup::Lead(leading) => {
                    lead = Some(leading);
                    break;
                }
                Lookup::Alone => break,
                Lookup::Follow(following) => {
                    if !following.wait(deadline).await {
                        return Err(query_error(QueryError::Timeout(timeout)));
                    }
                }
            }
        }
    }
    let peer = client.map(|Client(socket)| socket as Arc<dyn crate::query::Peer>);
    let flight = lead.as_ref().map(Leading::flight);
    let mut answer = state
        .engine
        .evaluate(job, peer, flight)
        .await
        .map_err(query_error)?;
    let first = answer.next_chunk().map_err(query_error)?;
    let keep = key.map(|key| body::Keep {
        engine: state.engine.clone(),
        key,
        lead,
    });
    Ok(body::respond(answer, first, keep))
}

/// The HTTP error of a query that gave no answer.
fn query_error(e: QueryError) -> HttpError {
    let busy = |n: usize, fr: &str, en: &str| {
        HttpError::Busy(Message::new(
            format!(
                "Trop de requêtes SPARQL en cours ({n} au plus à la fois) : {fr} Réessayez dans quelques secondes."
            ),
            format!("Too many SPARQL queries at once (at most {n}): {en} Retry in a few seconds."),
        ))
    };
    match e {
        QueryError::QueueFull { max_concurrent } => busy(
            max_concurrent,
            "la file d'attente est pleine.",
            "the waiting queue is full.",
        ),
        QueryError::NoSlotInTime { max_concurrent } => busy(
            max_concurrent,
            "aucune place ne s'est libérée avant le temps limite de la requête.",
            "no place was freed before the query's time limit.",
        ),
        QueryError::Timeout(limit) => {
            let secs = limit.as_secs_f64();
            HttpError::Timeout(Message::new(
                format!(
                    "La requête SPARQL a dépassé le temps limite de {secs:.1} s et a été interrompue. \
                     Simplifiez-la (LIMIT, motifs plus précis) ou découpez-la."
                ),
                format!(
                    "The SPARQL query passed its time limit of {secs:.1} s and was stopped. \
                     Simplify it (LIMIT, more selective patterns) or split it."
                ),
            ))
        }
        QueryError::ServiceRefused { endpoint, allowed } if allowed.is_empty() => {
            HttpError::BadRequest(Message::new(
                format!(
                    "SERVICE {endpoint} refusé : les requêtes fédérées sont désactivées sur ce point d'accès \
                     (l'administrateur peut autoriser des points d'accès avec --service-allow)."
                ),
                format!(
                    "SERVICE {endpoint} refused: federated queries are disabled on this endpoint \
                     (the administrator may allow endpoints with --service-allow)."
                ),
            ))
        }
        QueryError::ServiceRefused { endpoint, allowed } => {
            let allowed = allowed.join(", ");
            HttpError::BadRequest(Message::new(
                format!(
                    "SERVICE {endpoint} refusé : seuls ces points d'accès sont autorisés : {allowed}."
                ),
                format!("SERVICE {endpoint} refused: only these endpoints are allowed: {allowed}."),
            ))
        }
        QueryError::Service(e) => HttpError::BadRequest(Message::new(
            format!("échec de l'appel SERVICE : {e}"),
            format!("SERVICE call failed: {e}"),
        )),
        QueryError::TooComplex(shape) => HttpError::BadRequest(Message::new(
            format!(
                "Requête SPARQL trop imbriquée ou trop longue : {} niveaux de parenthèses ou d'accolades \
                 (au plus {}), {} groupes, motifs et opérateurs (au plus {}). Simplifiez-la ou découpez-la.",
                shape.depth,
                crate::query::MAX_DEPTH,
                shape.items,
                crate::query::MAX_ITEMS
            ),
            format!(
                "SPARQL query nested too deeply or too long: {} levels of brackets (at most {}), \
                 {} groups, patterns and operators (at most {}). Simplify or split it.",
                shape.depth,
                crate::query::MAX_DEPTH,
                shape.items,
                crate::query::MAX_ITEMS
            ),
        )),
        QueryError::NotEvaluable(e) => HttpError::BadRequest(Message::new(
            format!("requête non évaluable : {e}"),
            format!("the query cannot be evaluated: {e}"),
        )),
        QueryError::Unwritable(e) => HttpError::BadRequest(Message::new(
            format!("ces résultats ne peuvent pas être écrits dans ce format : {e}"),
            format!("these results cannot be written in this format: {e}"),
        )),
        e => HttpError::internal(e),
    }
}

/// `error at 3:7: expected ...` → a message with the position, in French
/// and English (the parser's own words are English).
fn syntax_message(raw: &str) -> Message {
    let parts = raw.strip_prefix("error at ").and_then(|r| {
        let (pos, msg) = r.split_once(": ")?;
        let (line, col) = pos.split_once(':')?;
        Some((line, col, msg))
    });
    match parts {
        Some((line, col, msg)) => Message::new(
            format!("Requête SPARQL invalide, ligne {line}, colonne {col} : {msg}"),
            format!("Invalid SPARQL query, line {line}, column {col}: {msg}"),
        ),
        None => Message::new(
            format!("Requête SPARQL invalide, {raw}"),
            format!("Invalid SPARQL query: {raw}"),
        ),
    }
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
        NamedNode::new(s.trim()).map_err(|e| {
            HttpError::BadRequest(Message::new(
                format!("IRI de graphe invalide « {s} » : {e}"),
                format!("invalid graph IRI “{s}”: {e}"),
            ))
        })
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
        .ok_or_else(|| {
            HttpError::BadRequest(Message::new(
                format!("paramètre `timeout` invalide « {raw} » : attendu un nombre de secondes positif, par exemple 2.5"),
                format!("invalid `timeout` parameter “{raw}”: expected a positive number of seconds, for example 2.5"),
            ))
        })?;
    Ok(Duration::from_secs_f64(secs.min(limit.as_secs_f64())).max(Duration::from_millis(1)))
}

/// A bare GET: the Service Description or, for a browser, the query page.
fn describe(
    state: &AppState,
    headers: &HeaderMap,
    format: &[String],
) -> Result<Response, HttpError> {
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    let response = match negotiate::choose(accept, format, DESCRIPTION_OFFERS)? {
        Description::Html => page::html(state).into_response(),
        Description::Rdf(format) => {
            let body = page::service_description(state, format)?;
            let media_type = match format {
                RdfFormat::Turtle => "text/turtle; charset=utf-8",
                other => other.media_type(),
            };
            ([(header::CONTENT_TYPE, media_type)], body).into_response()
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
        let m = syntax_message("error at 2:5: expected one of \"{\"");
        assert_eq!(
            m.fr,
            "Requête SPARQL invalide, ligne 2, colonne 5 : expected one of \"{\""
        );
        assert_eq!(
            m.en,
            "Invalid SPARQL query, line 2, column 5: expected one of \"{\""
        );
    }
}

//! `SERVICE` (SPARQL 1.1 Federated Query) on the public endpoint: refused
//! unless the endpoint is in the configured allow-list
//! (`--service-allow`), so that the server cannot be used to reach other
//! hosts, its own network in particular.
//!
//! The check is made on the parsed query before evaluation (a clear error);
//! the evaluator is also given a default handler that refuses anything else,
//! as a second line. Allowed `http://` endpoints are called with hyper's
//! HTTP/1.1 client (a `SELECT *` of the service pattern, SPARQL JSON
//! results); `https://` needs a TLS client bibia does not embed, and is
//! refused with a message that says so.

use super::QueryError;
use http_body_util::{BodyExt as _, Full, Limited};
use hyper::body::Bytes;
use hyper::header;
use hyper_util::rt::TokioIo;
use oxigraph::model::NamedNode;
use oxigraph::sparql::{
    DefaultServiceHandler, QueryEvaluationError, QuerySolutionIter, SparqlEvaluator,
};
use sparesults::{QueryResultsFormat, QueryResultsParser, ReaderQueryResultsParserOutput};
use spargebra::algebra::{Expression, GraphPattern, OrderExpression};
use spargebra::term::NamedNodePattern;
use std::time::Duration;

/// Checks every `SERVICE` of `query` against the allow-list.
pub(super) fn check(query: &spargebra::Query, allow: &[String]) -> Result<(), QueryError> {
    let pattern = match query {
        spargebra::Query::Select { pattern, .. }
        | spargebra::Query::Construct { pattern, .. }
        | spargebra::Query::Describe { pattern, .. }
        | spargebra::Query::Ask { pattern, .. } => pattern,
    };
    let mut refused = None;
    walk(pattern, &mut |name| {
        let ok =
            matches!(name, NamedNodePattern::NamedNode(n) if allow.iter().any(|a| a == n.as_str()));
        if !ok && refused.is_none() {
            refused = Some(name.to_string());
        }
    });
    match refused {
        None => Ok(()),
        Some(endpoint) => Err(QueryError::ServiceRefused {
            endpoint,
            allowed: allow.to_vec(),
        }),
    }
}

fn walk<'a>(pattern: &'a GraphPattern, on_service: &mut impl FnMut(&'a NamedNodePattern)) {
    match pattern {
        GraphPattern::Service { name, inner, .. } => {
            on_service(name);
            walk(inner, on_service);
        }
        GraphPattern::Join { left, right }
        | GraphPattern::Lateral { left, right }
        | GraphPattern::Union { left, right }
        | GraphPattern::Minus { left, right } => {
            walk(left, on_service);
            walk(right, on_service);
        }
        GraphPattern::LeftJoin {
            left,
            right,
            expression,
        } => {
            walk(left, on_service);
            walk(right, on_service);
            if let Some(e) = expression {
                walk_expression(e, on_service);
            }
        }
        GraphPattern::Filter {
            expr: expression,
            inner,
        }
        | GraphPattern::Extend {
            inner, expression, ..
        } => {
            walk_expression(expression, on_service);
            walk(inner, on_service);
        }
        GraphPattern::OrderBy { inner, expression } => {
            for e in expression {
                match e {
                    OrderExpression::Asc(e) | OrderExpression::Desc(e) => {
                        walk_expression(e, on_service)
                    }
                }
            }
            walk(inner, on_service);
        }
        GraphPattern::Group {
            inner, aggregates, ..
        } => {
            for (_, aggregate) in aggregates {
                if let spargebra::algebra::AggregateExpression::FunctionCall { expr, .. } =
                    aggregate
                {
                    walk_expression(expr, on_service);
                }
            }
            walk(inner, on_service);
        }
        GraphPattern::Graph { inner, .. }
        | GraphPattern::Project { inner, .. }
        | GraphPattern::Distinct { inner }
        | GraphPattern::Reduced { inner }
        | GraphPattern::Slice { inner, .. } => walk(inner, on_service),
        _ => {}
    }
}

/// `SERVICE` can hide in an `EXISTS` anywhere in an expression.
fn walk_expression<'a>(
    expression: &'a Expression,
    on_service: &mut impl FnMut(&'a NamedNodePattern),
) {
    match expression {
        Expression::Exists(pattern) => walk(pattern, on_service),
        Expression::Or(a, b)
        | Expression::And(a, b)
        | Expression::Equal(a, b)
        | Expression::SameTerm(a, b)
        | Expression::Greater(a, b)
        | Expression::GreaterOrEqual(a, b)
        | Expression::Less(a, b)
        | Expression::LessOrEqual(a, b)
        | Expression::Add(a, b)
        | Expression::Subtract(a, b)
        | Expression::Multiply(a, b)
        | Expression::Divide(a, b) => {
            walk_expression(a, on_service);
            walk_expression(b, on_service);
        }
        Expression::UnaryPlus(a) | Expression::UnaryMinus(a) | Expression::Not(a) => {
            walk_expression(a, on_service)
        }
        Expression::If(a, b, c) => {
            walk_expression(a, on_service);
            walk_expression(b, on_service);
            walk_expression(c, on_service);
        }
        Expression::In(a, list) => {
            walk_expression(a, on_service);
            for e in list {
                walk_expression(e, on_service);
            }
        }
        Expression::Coalesce(list) | Expression::FunctionCall(_, list) => {
            for e in list {
                walk_expression(e, on_service);
            }
        }
        _ => {}
    }
}

/// Adds the `SERVICE` policy to an evaluator: the allow-list is checked
/// again on each call (a `SERVICE` hidden in an `EXISTS` is caught here).
pub(super) fn configure(
    evaluator: SparqlEvaluator,
    allow: &[String],
    timeout: Duration,
) -> SparqlEvaluator {
    evaluator.with_default_service_handler(Federation {
        allow: allow.to_vec(),
        timeout,
    })
}

struct Federation {
    allow: Vec<String>,
    timeout: Duration,
}

/// A refused or failed `SERVICE` call.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct ServiceError(String);

impl DefaultServiceHandler for Federation {
    type Error = QueryEvaluationError;

    fn handle(
        &self,
        service_name: &NamedNode,
        pattern: &GraphPattern,
        base_iri: Option<&oxiri::Iri<String>>,
    ) -> Result<QuerySolutionIter<'static>, QueryEvaluationError> {
        let fail = |m: String| QueryEvaluationError::Service(Box::new(ServiceError(m)));
        if !self.allow.iter().any(|a| a == service_name.as_str()) {
            return Err(fail(format!(
                "SERVICE {service_name} refusé : point d'accès non autorisé"
            )));
        }
        let query = spargebra::Query::Select {
            dataset: None,
            pattern: pattern.clone(),
            base_iri: base_iri.cloned(),
        };
        let body = call(service_name.as_str(), &query.to_string(), self.timeout)
            .map_err(|e| fail(format!("SERVICE {service_name} : {e}")))?;
        match QueryResultsParser::from_format(QueryResultsFormat::Json)
            .for_reader(std::io::Cursor::new(body))
        {
            Ok(ReaderQueryResultsParserOutput::Solutions(solutions)) => Ok(solutions.into()),
            Ok(ReaderQueryResultsParserOutput::Boolean(_)) => Err(fail(format!(
                "SERVICE {service_name} : réponse booléenne inattendue"
            ))),
            Err(e) => Err(fail(format!(
                "SERVICE {service_name} : réponse illisible ({e})"
            ))),
        }
    }
}

/// The most bytes read from a `SERVICE` answer.
const MAX_ANSWER: usize = 64 * 1024 * 1024;

/// POSTs `query` to an `http://` endpoint with hyper's client and returns
/// the response body. The evaluation runs inside its connection's runtime,
/// which cannot be blocked on: the call runs on a thread of its own.
fn call(endpoint: &str, query: &str, timeout: Duration) -> Result<Vec<u8>, String> {
    let uri: hyper::Uri = endpoint
        .parse()
        .map_err(|e| format!("adresse de point d'accès invalide ({e})"))?;
    if uri.scheme_str() != Some("http") {
        return Err(
            "seuls les points d'accès http:// peuvent être appelés (pas de client TLS intégré)"
                .into(),
        );
    }
    let authority = uri.authority().ok_or("hôte manquant")?.clone();
    let request = hyper::Request::post(uri.path_and_query().map_or("/", |p| p.as_str()))
        .header(header::HOST, authority.as_str())
        .header(header::USER_AGENT, "bibia")
        .header(header::ACCEPT, "application/sparql-results+json")
        .header(
            header::CONTENT_TYPE,
            "application/sparql-query; charset=utf-8",
        )
        .body(Full::new(Bytes::from(query.to_owned())))
        .map_err(|e| e.to_string())?;
    let exchange = async move {
        let tcp =
            tokio::net::TcpStream::connect((authority.host(), authority.port_u16().unwrap_or(80)))
                .await
                .map_err(|e| format!("connexion impossible ({e})"))?;
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(tcp))
            .await
            .map_err(|e| e.to_string())?;
        tokio::spawn(connection);
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| e.to_string())?;
        if response.status() != hyper::StatusCode::OK {
            return Err(format!("le point d'accès a répondu {}", response.status()));
        }
        Limited::new(response.into_body(), MAX_ANSWER)
            .collect()
            .await
            .map(|body| body.to_bytes().to_vec())
            .map_err(|e| format!("réponse illisible ou de plus de {MAX_ANSWER} octets ({e})"))
    };
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| e.to_string())?;
                runtime.block_on(async {
                    tokio::time::timeout(timeout, exchange)
                        .await
                        .map_err(|_| format!("pas de réponse en {:.1} s", timeout.as_secs_f64()))?
                })
            })
            .join()
            .map_err(|_| "appel interrompu".to_owned())?
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(q: &str) -> spargebra::Query {
        spargebra::SparqlParser::new().parse_query(q).unwrap()
    }

    #[test]
    fn service_is_refused_unless_allowed() {
        let q = parse(
            "SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE <http://example.org/sparql> { ?s ?q ?r } } }",
        );
        assert!(check(&q, &[]).is_err());
        assert!(check(&q, &["http://example.org/sparql".into()]).is_ok());
        assert!(check(&q, &["http://other.org/sparql".into()]).is_err());
        let hidden = parse(
            "SELECT * WHERE { ?s ?p ?o FILTER(?o && NOT EXISTS { SERVICE <http://x/> { ?s ?q ?r } }) }",
        );
        assert!(check(&hidden, &[]).is_err());
        let bound = parse(
            "SELECT * WHERE { ?s ?p ?o BIND(IF(EXISTS { SERVICE <http://x/> {} }, 1, 2) AS ?x) }",
        );
        assert!(check(&bound, &[]).is_err());
        let var = parse("SELECT * WHERE { SERVICE ?x { ?s ?p ?o } }");
        assert!(check(&var, &["http://example.org/sparql".into()]).is_err());
        assert!(check(&parse("SELECT * WHERE { ?s ?p ?o }"), &[]).is_ok());
    }
}

//! `SERVICE` (SPARQL 1.1 Federated Query) on the public endpoint: refused
//! unless the endpoint is in the configured allow-list
//! (`--service-allow`), so that the server cannot be used to reach other
//! hosts, its own network in particular.
//!
//! The check is made on the parsed query before evaluation (a clear error);
//! the evaluator is also given a default handler that refuses anything else,
//! as a second line. Allowed `http://` endpoints are called with a minimal
//! HTTP/1.0 client (a `SELECT *` of the service pattern, SPARQL JSON
//! results); `https://` needs a TLS client bibia does not embed, and is
//! refused with a message that says so.

use super::QueryError;
use oxigraph::model::NamedNode;
use oxigraph::sparql::{
    DefaultServiceHandler, QueryEvaluationError, QuerySolutionIter, SparqlEvaluator,
};
use sparesults::{QueryResultsFormat, QueryResultsParser, ReaderQueryResultsParserOutput};
use spargebra::algebra::{Expression, GraphPattern, OrderExpression};
use spargebra::term::NamedNodePattern;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpStream, ToSocketAddrs};
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
        match QueryResultsParser::from_format(QueryResultsFormat::Json).for_reader(body) {
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

/// POSTs `query` to an `http://` endpoint and returns the response body.
fn call(endpoint: &str, query: &str, timeout: Duration) -> Result<BufReader<TcpStream>, String> {
    let rest = endpoint.strip_prefix("http://").ok_or(
        "seuls les points d'accès http:// peuvent être appelés (pas de client TLS intégré)",
    )?;
    let (authority, path) = rest
        .split_once('/')
        .map_or((rest, "/".to_owned()), |(a, p)| (a, format!("/{p}")));
    let host_port = if authority.contains(':') {
        authority.to_owned()
    } else {
        format!("{authority}:80")
    };
    let addr = host_port
        .to_socket_addrs()
        .map_err(|e| e.to_string())?
        .next()
        .ok_or("adresse introuvable")?;
    let mut stream = TcpStream::connect_timeout(&addr, timeout).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(timeout))
        .map_err(|e| e.to_string())?;
    stream
        .set_write_timeout(Some(timeout))
        .map_err(|e| e.to_string())?;
    write!(
        stream,
        "POST {path} HTTP/1.0\r\nHost: {authority}\r\nUser-Agent: bibia\r\nAccept: application/sparql-results+json\r\n\
         Content-Type: application/sparql-query; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{query}",
        query.len()
    )
    .map_err(|e| e.to_string())?;
    let mut reader = BufReader::new(stream);
    let mut status = String::new();
    reader.read_line(&mut status).map_err(|e| e.to_string())?;
    let code = status.split_whitespace().nth(1).unwrap_or("");
    if code != "200" {
        return Err(format!("le point d'accès a répondu « {} »", status.trim()));
    }
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).map_err(|e| e.to_string())? == 0
            || line == "\r\n"
            || line == "\n"
        {
            break;
        }
        if line.to_ascii_lowercase().starts_with("transfer-encoding:")
            && line.to_ascii_lowercase().contains("chunked")
        {
            return Err("réponse en « chunked » inattendue pour une requête HTTP/1.0".into());
        }
    }
    // Keep reading through the same buffer.
    let _ = reader.fill_buf();
    Ok(reader)
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

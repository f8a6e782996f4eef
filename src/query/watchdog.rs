//! Cancellation that reaches every loop of the evaluation.
//!
//! oxigraph checks its cancellation token when it reads the store. A join
//! whose two sides are already in memory (a cartesian product of products,
//! a fan-out join on a shared key) can run for hours between two reads, so
//! a query past its time limit would keep a core and its slot.
//!
//! Before evaluation, the query is rewritten so that a bibia function, which
//! checks the token, is called on every solution that comes out of a basic
//! graph pattern or a join, and on every solution a `FILTER` rejects:
//!
//! - `P` (a BGP of two patterns or more, a tree of joins, an `OPTIONAL`)
//!   becomes `Extend(P, ?g, bibia:vivant())`, a fresh `?g` each time; the
//!   function returns no value, so `?g` stays unbound and no projection
//!   changes. The members of a join tree are not wrapped one by one, so that
//!   the optimiser still orders the whole tree as one join;
//! - `FILTER(E)` becomes `FILTER(E || bibia:vivant())`: when `E` is true the
//!   function is not called; when `E` is false or an error, `false || error`
//!   and `error || error` are errors, so the filter rejects exactly what it
//!   rejected before (also in the expression of an `OPTIONAL`).
//!
//! When the token has fired, the function unwinds the evaluation with an
//! [`Interrupted`] payload (without running the panic hook), which
//! [`run_guarded`] turns back into a value. The cost is one function call per
//! solution.

use oxigraph::sparql::{CancellationToken, SparqlEvaluator};
use spargebra::Query;
use spargebra::algebra::{Expression, Function, GraphPattern};
use spargebra::term::{NamedNode, Variable};
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};

/// The check function's IRI (not dereferenceable, never in the data).
const VIVANT: &str = "urn:bibia:fonction:vivant";

/// Prefix of the variables the rewrite introduces.
const GUARD_VARIABLE: &str = "__bibia_garde_";

/// The payload of an evaluation stopped by its token.
#[derive(Debug)]
pub(super) struct Interrupted;

/// Registers the check function, bound to `token`, on `evaluator`.
pub(super) fn with_check(evaluator: SparqlEvaluator, token: CancellationToken) -> SparqlEvaluator {
    evaluator.with_custom_function(NamedNode::new_unchecked(VIVANT), move |_| {
        if token.is_cancelled() {
            resume_unwind(Box::new(Interrupted));
        }
        None
    })
}

/// Runs `f`; `Err(Interrupted)` when the check function stopped it. Any
/// other panic goes on unwinding.
pub(super) fn run_guarded<T>(f: impl FnOnce() -> T) -> Result<T, Interrupted> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| match payload.downcast::<Interrupted>() {
        Ok(_) => Interrupted,
        Err(other) => resume_unwind(other),
    })
}

/// Rewrites `query` so that its evaluation calls the check function on every
/// solution of its joins and filters (see the module documentation).
pub(super) fn instrument(query: Query) -> Query {
    let mut rewriter = Rewriter { next: 0 };
    match query {
        Query::Select {
            dataset,
            pattern,
            base_iri,
        } => Query::Select {
            dataset,
            pattern: rewriter.pattern(pattern),
            base_iri,
        },
        Query::Construct {
            template,
            dataset,
            pattern,
            base_iri,
        } => Query::Construct {
            template,
            dataset,
            pattern: rewriter.pattern(pattern),
            base_iri,
        },
        Query::Describe {
            dataset,
            pattern,
            base_iri,
        } => Query::Describe {
            dataset,
            pattern: rewriter.pattern(pattern),
            base_iri,
        },
        Query::Ask {
            dataset,
            pattern,
            base_iri,
        } => Query::Ask {
            dataset,
            pattern: rewriter.pattern(pattern),
            base_iri,
        },
    }
}

struct Rewriter {
    next: usize,
}

impl Rewriter {
    fn check() -> Expression {
        Expression::FunctionCall(
            Function::Custom(NamedNode::new_unchecked(VIVANT)),
            Vec::new(),
        )
    }

    /// `inner`, with the check called on each of its solutions.
    fn checked(&mut self, inner: GraphPattern) -> GraphPattern {
        self.next += 1;
        GraphPattern::Extend {
            inner: Box::new(inner),
            variable: Variable::new_unchecked(format!("{GUARD_VARIABLE}{}", self.next)),
            expression: Self::check(),
        }
    }

    /// `expr`, with the check called when it is not true.
    fn checked_expression(expr: Expression) -> Expression {
        Expression::Or(Box::new(expr), Box::new(Self::check()))
    }

    fn boxed(&mut self, p: GraphPattern) -> Box<GraphPattern> {
        Box::new(self.pattern(p))
    }

    /// A member of a join tree (joins and BGPs the optimiser flattens into
    /// one join and reorders): left unwrapped, so that the order stays the
    /// optimiser's; only what lies below it is rewritten. The check goes on
    /// the output of the whole tree.
    fn join_member(&mut self, pattern: GraphPattern) -> GraphPattern {
        match pattern {
            GraphPattern::Join { left, right } => GraphPattern::Join {
                left: Box::new(self.join_member(*left)),
                right: Box::new(self.join_member(*right)),
            },
            bgp @ GraphPattern::Bgp { .. } => bgp,
            other => self.pattern(other),
        }
    }

    fn pattern(&mut self, pattern: GraphPattern) -> GraphPattern {
        match pattern {
            GraphPattern::Bgp { patterns } if patterns.len() > 1 => {
                self.checked(GraphPattern::Bgp { patterns })
            }
            GraphPattern::Join { left, right } => {
                let joined = self.join_member(GraphPattern::Join { left, right });
                self.checked(joined)
            }
            GraphPattern::LeftJoin {
                left,
                right,
                expression,
            } => {
                // Every left solution comes out of the left join: the check
                // on its output covers the left side.
                let joined = GraphPattern::LeftJoin {
                    left: Box::new(self.join_member(*left)),
                    right: self.boxed(*right),
                    expression: expression.map(Self::checked_expression),
                };
                self.checked(joined)
            }
            GraphPattern::Filter { expr, inner } => GraphPattern::Filter {
                expr: Self::checked_expression(expr),
                inner: self.boxed(*inner),
            },
            GraphPattern::Union { left, right } => GraphPattern::Union {
                left: self.boxed(*left),
                right: self.boxed(*right),
            },
            GraphPattern::Minus { left, right } => GraphPattern::Minus {
                left: self.boxed(*left),
                right: self.boxed(*right),
            },
            GraphPattern::Graph { name, inner } => GraphPattern::Graph {
                name,
                inner: self.boxed(*inner),
            },
            GraphPattern::Extend {
                inner,
                variable,
                expression,
            } => GraphPattern::Extend {
                inner: self.boxed(*inner),
                variable,
                expression,
            },
            GraphPattern::OrderBy { inner, expression } => GraphPattern::OrderBy {
                inner: self.boxed(*inner),
                expression,
            },
            GraphPattern::Project { inner, variables } => GraphPattern::Project {
                inner: self.boxed(*inner),
                variables,
            },
            GraphPattern::Distinct { inner } => GraphPattern::Distinct {
                inner: self.boxed(*inner),
            },
            GraphPattern::Reduced { inner } => GraphPattern::Reduced {
                inner: self.boxed(*inner),
            },
            GraphPattern::Slice {
                inner,
                start,
                length,
            } => GraphPattern::Slice {
                inner: self.boxed(*inner),
                start,
                length,
            },
            GraphPattern::Group {
                inner,
                variables,
                aggregates,
            } => GraphPattern::Group {
                inner: self.boxed(*inner),
                variables,
                aggregates,
            },
            GraphPattern::Service {
                name,
                inner,
                silent,
            } => GraphPattern::Service {
                name,
                inner,
                silent,
            },
            // One triple pattern, a path, VALUES: each solution is a read.
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewritten(query: &str) -> String {
        instrument(spargebra::SparqlParser::new().parse_query(query).unwrap()).to_string()
    }

    #[test]
    fn joins_and_filters_call_the_check() {
        let q = rewritten("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f FILTER(?c = ?f) }");
        assert!(q.contains(VIVANT), "{q}");
        assert!(q.contains("||"), "{q}");
        assert!(q.contains(GUARD_VARIABLE), "{q}");
    }

    #[test]
    fn a_single_pattern_is_left_alone() {
        let q = rewritten("SELECT ?s WHERE { ?s a ?t }");
        assert!(!q.contains(VIVANT), "{q}");
    }

    #[test]
    fn the_check_unwinds_only_once_cancelled() {
        let token = CancellationToken::new();
        let store = crate::store::PublicStore::in_memory();
        let query = instrument(
            spargebra::SparqlParser::new()
                .parse_query("SELECT * WHERE { VALUES ?x { 1 2 } VALUES ?y { 1 2 } }")
                .unwrap(),
        );
        let run = |token: &CancellationToken| {
            run_guarded(|| {
                let results = store.execute(
                    with_check(SparqlEvaluator::new(), token.clone()).for_query(query.clone()),
                );
                match results {
                    Ok(oxigraph::sparql::QueryResults::Solutions(s)) => s.count(),
                    _ => 0,
                }
            })
        };
        assert_eq!(run(&token).ok(), Some(4));
        token.cancel();
        assert!(run(&token).is_err());
    }
}

//! bibia's SHACL Core validator.
//!
//! Shapes are parsed once into a compiled form (targets resolved to index
//! lookups, regexes compiled once, `sh:in` lists as sorted id sets, `sh:class`
//! through a type index that follows `rdfs:subClassOf` in the data graph) and
//! reused for every validation. The data graph is interned and indexed in
//! both directions ([`DataGraph`]).
//!
//! # Public API
//!
//! - [`Shapes`]: `Shapes::compile(&oxrdf::Graph)`, `Shapes::from_turtle(ttl, base)`,
//!   `validate(&DataGraph)`, `validate_focus(&DataGraph, focus nodes)` (record-scoped:
//!   only targets among the given nodes are validated, while types, concept schemes
//!   and other context are looked up in the whole data graph).
//! - [`ShapesError`]: a malformed shapes graph (bad parameter, bad path, recursive
//!   shape, unsupported SPARQL-based constraint), naming the shape.
//! - [`DataGraph`]: `DataGraph::from_graph(&Graph)`, `DataGraph::from_triples(iter)`,
//!   `DataGraph::from_triple_refs(iter)` (terms interned to `u32` ids, indexed both ways).
//! - [`ValidationReport`]: `conforms()`, `results()`, `to_graph()`, `to_turtle()`,
//!   `to_json()`, `to_french_text(Option<&HashMap<Term, (String, usize)>>)`.
//! - [`ValidationResult`]: `focus_node()`, `path()`, `value()`, `source_shape()`,
//!   `source_constraint_component()`, `severity()`, `message()`.
//! - [`Severity`], [`Path`].
//!
//! All of SHACL Core is supported, plus bibia's native
//! `bia:LuhnConstraintComponent` (`bia:luhn true`; a SPARQL validator declared
//! for it in the shapes graph is ignored). Any other SPARQL-based constraint is
//! rejected at compile time rather than silently ignored.

mod cardinality;
mod compile;
mod data;
mod literal;
mod logical;
mod other;
mod path;
mod property_pair;
mod range;
mod report;
mod shape_based;
mod string;
mod validate;
mod value_type;

use oxrdf::{Graph, NamedNode, Term};

pub use data::DataGraph;
pub use path::Path;
pub use report::{ValidationReport, ValidationResult};

use compile::{Consts, Shape, ShapeId};

/// A malformed or unsupported shapes graph.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ShapesError {
    /// The shapes Turtle does not parse.
    #[error("shapes graph is not valid Turtle: {0}")]
    Turtle(#[from] oxttl::TurtleParseError),
    /// The base IRI given for the shapes is not an IRI.
    #[error("invalid base IRI: {0}")]
    BaseIri(#[from] oxrdf::IriParseError),
    /// A shape has a malformed parameter or path.
    #[error("shape {shape}: {message}")]
    InvalidShape {
        /// The shape's node.
        shape: String,
        /// What is wrong.
        message: String,
    },
    /// A shape refers to itself through `sh:node`, `sh:property`, `sh:and`…
    #[error("shape {shape} is recursive (it refers to itself); SHACL leaves recursion undefined")]
    RecursiveShape {
        /// A shape on the cycle.
        shape: String,
    },
    /// A shape uses `sh:sparql`.
    #[error("shape {shape} uses sh:sparql, which this validator does not support")]
    UnsupportedSparql {
        /// The shape's node.
        shape: String,
    },
    /// A shape uses a parameter of a declared (SPARQL-based) constraint
    /// component other than bibia's native ones.
    #[error("shape {shape} uses the unsupported constraint component {component}")]
    UnsupportedComponent {
        /// The shape's node.
        shape: String,
        /// The component's IRI.
        component: String,
    },
}

/// The severity of a result.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Severity {
    /// `sh:Violation` (the default).
    Violation,
    /// `sh:Warning`.
    Warning,
    /// `sh:Info`.
    Info,
    /// Any other severity IRI.
    Other(NamedNode),
}

/// A compiled shapes graph, ready to validate any number of data graphs.
#[derive(Debug, Clone)]
pub struct Shapes {
    shapes: Vec<Shape>,
    consts: Consts,
    /// Constant sets (`sh:in` members, `sh:closed` allowed predicates).
    sets: Vec<Vec<compile::ConstId>>,
    /// Shapes with targets that are not deactivated.
    top: Vec<ShapeId>,
}

impl Shapes {
    /// Compiles the shapes of a shapes graph.
    pub fn compile(graph: &Graph) -> Result<Self, ShapesError> {
        compile::compile(graph)
    }

    /// Parses Turtle and compiles its shapes.
    pub fn from_turtle(turtle: &str, base: Option<&str>) -> Result<Self, ShapesError> {
        let mut parser = oxttl::TurtleParser::new();
        if let Some(base) = base {
            parser = parser.with_base_iri(base)?;
        }
        let mut graph = Graph::new();
        for triple in parser.for_slice(turtle) {
            let triple = triple.map_err(|e| ShapesError::Turtle(e.into()))?;
            graph.insert(&triple);
        }
        Self::compile(&graph)
    }

    /// Number of compiled shapes.
    pub fn len(&self) -> usize {
        self.shapes.len()
    }

    /// Whether there is no shape.
    pub fn is_empty(&self) -> bool {
        self.shapes.is_empty()
    }

    /// Validates every target of every shape in `data`.
    pub fn validate(&self, data: &DataGraph) -> ValidationReport {
        let ctx = validate::Ctx::new(self, data);
        let raws = ctx.run_all();
        report::build(&ctx, raws)
    }

    /// Validates only the focus nodes among `focus` (a record's subjects),
    /// looking up context (types, linked nodes) in the whole of `data`.
    pub fn validate_focus<'t>(
        &self,
        data: &DataGraph,
        focus: impl IntoIterator<Item = &'t Term>,
    ) -> ValidationReport {
        let mut ctx = validate::Ctx::new(self, data);
        let mut ids: Vec<_> = focus.into_iter().map(|t| ctx.resolve(t)).collect();
        ids.sort_unstable();
        ids.dedup();
        let raws = ctx.run_focus(&ids);
        report::build(&ctx, raws)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use oxrdf::{Literal, NamedNode};
    use oxttl::TurtleParser;

    use super::*;

    const PREFIXES: &str = "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://ex/> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        @prefix bia: <https://w3id.org/bibia/def#> . @prefix dcterms: <http://purl.org/dc/terms/> .\n";

    fn data(ttl: &str) -> DataGraph {
        let text = format!("{PREFIXES}{ttl}");
        DataGraph::from_triples(
            TurtleParser::new()
                .for_slice(&text)
                .map(|t| t.expect("valid turtle")),
        )
    }

    fn shapes(ttl: &str) -> Shapes {
        Shapes::from_turtle(&format!("{PREFIXES}{ttl}"), None).expect("shapes compile")
    }

    fn ex(local: &str) -> Term {
        NamedNode::new_unchecked(format!("http://ex/{local}")).into()
    }

    const PROJECT_SHAPES: &str = r#"
        ex:ProjetShape a sh:NodeShape ; sh:targetClass ex:Projet ;
          sh:property [ sh:path dcterms:title ; sh:minCount 1 ; sh:datatype rdf:langString ;
                        sh:message "Le titre est obligatoire"@fr, "Title is required"@en ] ;
          sh:property [ sh:path ex:theme ; sh:class ex:Concept ] ;
          sh:property [ sh:path ex:siren ; bia:luhn true ; sh:severity sh:Warning ] .
    "#;

    fn project_shapes() -> Shapes {
        shapes(&PROJECT_SHAPES.replace(
            "rdf:langString",
            "<http://www.w3.org/1999/02/22-rdf-syntax-ns#langString>",
        ))
    }

    const PROJECT_DATA: &str = r#"
        ex:Concept rdfs:subClassOf ex:Thing . ex:SubConcept rdfs:subClassOf ex:Concept .
        ex:t1 a ex:SubConcept .
        ex:p1 a ex:Projet ; dcterms:title "Projet un"@fr ; ex:theme ex:t1 ; ex:siren "732829320" .
        ex:p2 a ex:Projet ; ex:theme ex:t2 ; ex:siren "732829321" .
    "#;

    #[test]
    fn validates_with_subclasses_messages_and_severity() {
        let report = project_shapes().validate(&data(PROJECT_DATA));
        assert!(!report.conforms());
        let mut found: Vec<_> = report
            .results()
            .iter()
            .map(|r| {
                (
                    r.source_constraint_component()
                        .as_str()
                        .rsplit('#')
                        .next()
                        .unwrap_or_default()
                        .to_owned(),
                    r.severity().clone(),
                )
            })
            .collect();
        found.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(
            found,
            vec![
                ("ClassConstraintComponent".to_owned(), Severity::Violation),
                ("LuhnConstraintComponent".to_owned(), Severity::Warning),
                (
                    "MinCountConstraintComponent".to_owned(),
                    Severity::Violation
                ),
            ]
        );
        assert!(report.results().iter().all(|r| r.focus_node() == &ex("p2")));
        let title = report
            .results()
            .iter()
            .find(|r| {
                r.source_constraint_component() == crate::vocab::sh::MIN_COUNT_CONSTRAINT_COMPONENT
            })
            .expect("minCount result");
        assert_eq!(
            title.message(),
            &Literal::new_language_tagged_literal_unchecked("Le titre est obligatoire", "fr")
        );
    }

    #[test]
    fn validate_focus_only_checks_the_record_but_sees_context() {
        let shapes = project_shapes();
        let graph = data(PROJECT_DATA);
        let record = [ex("p1")];
        assert!(
            shapes.validate_focus(&graph, &record).conforms(),
            "ex:t1's type comes from outside the record"
        );
        let record = [ex("p2")];
        assert_eq!(shapes.validate_focus(&graph, &record).results().len(), 3);
        let unknown = [ex("nowhere")];
        assert!(shapes.validate_focus(&graph, &unknown).conforms());
    }

    #[test]
    fn target_node_absent_from_data_is_still_validated() {
        let s = shapes(
            "ex:S a sh:NodeShape ; sh:targetNode ex:ghost ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .",
        );
        let report = s.validate(&DataGraph::default());
        assert_eq!(report.results().len(), 1);
        assert_eq!(report.results()[0].focus_node(), &ex("ghost"));
    }

    #[test]
    fn renderings() {
        let report = project_shapes().validate(&data(PROJECT_DATA));
        // Turtle parses back to the same number of triples as the graph form.
        let ttl = report.to_turtle();
        let parsed: Vec<_> = TurtleParser::new()
            .for_slice(&ttl)
            .collect::<Result<_, _>>()
            .expect("report Turtle parses");
        assert_eq!(parsed.len(), report.to_graph().len(), "{ttl}");
        // JSON.
        let json = report.to_json();
        assert_eq!(json["conforms"], false);
        assert_eq!(json["results"].as_array().map(Vec::len), Some(3));
        // French text with a location.
        let mut locations = HashMap::new();
        locations.insert(ex("p2"), ("projets.ttl".to_owned(), 5));
        let text = report.to_french_text(Some(&locations));
        assert!(
            text.starts_with("Nœud <http://ex/p2> (projets.ttl, ligne 5) : 3 problèmes\n"),
            "{text}"
        );
        assert!(
            text.contains("  - dcterms:title : Le titre est obligatoire\n"),
            "{text}"
        );
        assert!(text.contains("(valeur : « 732829321 »)"), "{text}");
        assert!(text.contains("[avertissement]"), "{text}");
        let ok = project_shapes().validate(&DataGraph::default());
        assert!(ok.conforms());
        assert!(
            TurtleParser::new()
                .for_slice(&ok.to_turtle())
                .all(|t| t.is_ok())
        );
    }

    #[test]
    fn malformed_data_does_not_panic() {
        let s = shapes(
            r#"ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:p ;
               sh:property [ sh:path ex:p ; sh:datatype xsd:dateTime ; sh:minInclusive "2020-01-01T00:00:00Z"^^xsd:dateTime ; sh:maxLength 3 ; sh:pattern "^a" ] ;
               sh:property [ sh:path [ sh:zeroOrMorePath ex:next ] ; sh:languageIn ( "fr" ) ] ;
               sh:property [ sh:path ex:p ; sh:lessThan ex:q ] ."#,
        );
        let report = s.validate(&data(
            r#"ex:a ex:p "2020-13-45T99:99:99Zé"^^xsd:dateTime, "éééééééé+01:00"^^xsd:dateTime, _:b, <http://ex/é> ; ex:q ex:a, "x" ;
               ex:next ex:b . ex:b ex:next ex:a ."#,
        ));
        assert!(!report.conforms());
    }
}

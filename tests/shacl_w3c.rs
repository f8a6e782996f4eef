//! The W3C SHACL Core test suite (`tests/core` of the data-shapes test
//! suite), run against `bibia::shacl`.
//!
//! The suite is looked up at `../shared/conformance/shacl-w3c/tests/core`
//! relative to the crate; when absent the test says so and passes, except in
//! CI (`CI` set), where it fails. Reports are
//! compared structurally: same `sh:conforms`, and the same multiset of results
//! on (focus node, result path, value, source shape, source constraint
//! component, severity). Blank-node paths are compared by structure; a blank
//! expected source shape matches any blank source shape.

use std::collections::HashMap;
use std::path::Path as FsPath;

use bibia::shacl::{DataGraph, Shapes, ValidationReport};
use oxrdf::vocab::rdf;
use oxrdf::{Graph, NamedNodeRef, NamedOrBlankNodeRef, Term, TermRef};
use oxttl::TurtleParser;

const MF: &str = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#";
const SHT: &str = "http://www.w3.org/ns/shacl-test#";
const SH: &str = "http://www.w3.org/ns/shacl#";

/// Tests not expected to pass, each with the reason.
const IGNORED: &[(&str, &str)] = &[];

fn iri(ns: &str, local: &str) -> oxrdf::NamedNode {
    oxrdf::NamedNode::new_unchecked(format!("{ns}{local}"))
}

struct Loader {
    graphs: HashMap<String, Graph>,
}

impl Loader {
    fn load(&mut self, url: &str) -> Result<&Graph, String> {
        if !self.graphs.contains_key(url) {
            let path = url
                .strip_prefix("file://")
                .ok_or_else(|| format!("not a file URL: {url}"))?;
            let text = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
            let parser = TurtleParser::new()
                .with_base_iri(url)
                .map_err(|e| e.to_string())?;
            let mut graph = Graph::new();
            for triple in parser.for_slice(&text) {
                graph.insert(&triple.map_err(|e| format!("{path}: {e}"))?);
            }
            self.graphs.insert(url.to_owned(), graph);
        }
        self.graphs
            .get(url)
            .ok_or_else(|| format!("{url} not loaded"))
    }
}

fn object<'a>(
    g: &'a Graph,
    s: NamedOrBlankNodeRef<'_>,
    p: &oxrdf::NamedNode,
) -> Option<TermRef<'a>> {
    g.object_for_subject_predicate(s, p)
}

fn subject(t: TermRef<'_>) -> Option<NamedOrBlankNodeRef<'_>> {
    match t {
        TermRef::NamedNode(n) => Some(n.into()),
        TermRef::BlankNode(b) => Some(b.into()),
        _ => None,
    }
}

fn list<'a>(g: &'a Graph, mut node: TermRef<'a>) -> Vec<Term> {
    let mut out = Vec::new();
    while let Some(s) = subject(node) {
        if node == rdf::NIL.into() {
            break;
        }
        let (Some(first), Some(rest)) = (
            g.object_for_subject_predicate(s, rdf::FIRST),
            g.object_for_subject_predicate(s, rdf::REST),
        ) else {
            break;
        };
        out.push(first.into_owned());
        node = rest;
    }
    out
}

/// A canonical text for a term: IRIs and literals as themselves, blank nodes
/// by the structure of their outgoing triples (bounded depth).
fn canon(g: &Graph, t: TermRef<'_>, depth: usize) -> String {
    match t {
        TermRef::BlankNode(b) if depth > 0 => {
            let mut parts: Vec<String> = g
                .triples_for_subject(b)
                .map(|tr| format!("{} {}", tr.predicate, canon(g, tr.object, depth - 1)))
                .collect();
            parts.sort();
            format!("[{}]", parts.join("; "))
        }
        TermRef::BlankNode(_) => "[…]".to_owned(),
        _ => t.to_string(),
    }
}

type Key = [String; 6];

fn expected_results(g: &Graph, report: NamedOrBlankNodeRef<'_>) -> (bool, Vec<Key>) {
    let conforms = object(g, report, &iri(SH, "conforms"))
        .is_some_and(|t| matches!(t, TermRef::Literal(l) if l.value() == "true"));
    let mut keys = Vec::new();
    for r in g.objects_for_subject_predicate(report, &iri(SH, "result")) {
        let Some(r) = subject(r) else { continue };
        let field = |p: &str| object(g, r, &iri(SH, p));
        let shape = match field("sourceShape") {
            Some(TermRef::BlankNode(_)) => "_:any".to_owned(),
            Some(t) => t.to_string(),
            None => String::new(),
        };
        keys.push([
            field("focusNode")
                .map(|t| canon_value(t))
                .unwrap_or_default(),
            field("resultPath")
                .map(|t| canon(g, t, 12))
                .unwrap_or_default(),
            field("value").map(|t| canon_value(t)).unwrap_or_default(),
            shape,
            field("sourceConstraintComponent")
                .map(|t| t.to_string())
                .unwrap_or_default(),
            field("resultSeverity")
                .map(|t| t.to_string())
                .unwrap_or_default(),
        ]);
    }
    keys.sort();
    (conforms, keys)
}

/// Focus nodes and values are compared by identity (the expected report and
/// the data come from the same parsed file when they share blank nodes).
fn canon_value(t: TermRef<'_>) -> String {
    t.to_string()
}

fn actual_results(report: &ValidationReport) -> (bool, Vec<Key>) {
    let graph = report.to_graph();
    let mut keys = Vec::new();
    let result_p = iri(SH, "result");
    let Some(root) = graph
        .subjects_for_predicate_object(
            rdf::TYPE,
            NamedNodeRef::new_unchecked("http://www.w3.org/ns/shacl#ValidationReport"),
        )
        .next()
    else {
        return (report.conforms(), keys);
    };
    // Use the graph form for paths (tests the RDF rendering) and the result
    // accessors for the other fields.
    let nodes: Vec<_> = graph
        .objects_for_subject_predicate(root, &result_p)
        .collect();
    for node in nodes {
        let Some(node) = subject(node) else { continue };
        let field = |p: &str| object(&graph, node, &iri(SH, p));
        let shape = match field("sourceShape") {
            Some(TermRef::BlankNode(_)) => "_:any".to_owned(),
            Some(t) => t.to_string(),
            None => String::new(),
        };
        keys.push([
            field("focusNode").map(canon_value).unwrap_or_default(),
            field("resultPath")
                .map(|t| canon(&graph, t, 12))
                .unwrap_or_default(),
            field("value").map(canon_value).unwrap_or_default(),
            shape,
            field("sourceConstraintComponent")
                .map(|t| t.to_string())
                .unwrap_or_default(),
            field("resultSeverity")
                .map(|t| t.to_string())
                .unwrap_or_default(),
        ]);
    }
    keys.sort();
    (report.conforms(), keys)
}

fn file_url(path: &FsPath) -> String {
    format!("file://{}", path.display())
}

/// Collects (test IRI, manifest URL) of every entry, following `mf:include`.
fn entries(
    loader: &mut Loader,
    manifest: &str,
    out: &mut Vec<(String, String)>,
) -> Result<(), String> {
    let g = loader.load(manifest)?.clone();
    let me = NamedNodeRef::new_unchecked(manifest);
    for inc in g.objects_for_subject_predicate(me, &iri(MF, "include")) {
        if let TermRef::NamedNode(n) = inc {
            entries(loader, n.as_str(), out)?;
        }
    }
    for head in g.objects_for_subject_predicate(me, &iri(MF, "entries")) {
        for e in list(&g, head) {
            if let Term::NamedNode(n) = e {
                out.push((n.as_str().to_owned(), manifest.to_owned()));
            }
        }
    }
    Ok(())
}

/// Runs one entry; `Ok(false)` when it is not an `sht:Validate` test.
fn run_one(loader: &mut Loader, test: &str, manifest: &str) -> Result<bool, String> {
    let g = loader.load(manifest)?.clone();
    let t = NamedNodeRef::new_unchecked(test);
    let is_validate = g
        .objects_for_subject_predicate(t, rdf::TYPE)
        .any(|ty| ty == iri(SHT, "Validate").as_ref().into());
    if !is_validate {
        return Ok(false);
    }
    let action = object(&g, t.into(), &iri(MF, "action"))
        .and_then(subject)
        .ok_or("no mf:action")?;
    let url = |p: &str| -> Result<String, String> {
        match object(&g, action, &iri(SHT, p)) {
            Some(TermRef::NamedNode(n)) => Ok(n.as_str().to_owned()),
            _ => Err(format!("no sht:{p}")),
        }
    };
    let (data_url, shapes_url) = (url("dataGraph")?, url("shapesGraph")?);
    let shapes_graph = loader.load(&shapes_url)?.clone();
    let data_graph = loader.load(&data_url)?.clone();
    let shapes =
        Shapes::compile(&shapes_graph).map_err(|e| format!("shapes do not compile: {e}"))?;
    let report = shapes.validate(&DataGraph::from_graph(&data_graph));
    let expected = object(&g, t.into(), &iri(MF, "result"))
        .and_then(subject)
        .ok_or("no mf:result")?;
    let want = expected_results(&g, expected);
    let got = actual_results(&report);
    if want == got {
        Ok(true)
    } else {
        Err(format!(
            "expected conforms={} results:\n    {}\ngot conforms={} results:\n    {}\nreport:\n{}",
            want.0,
            want.1
                .iter()
                .map(|k| k.join(" | "))
                .collect::<Vec<_>>()
                .join("\n    "),
            got.0,
            got.1
                .iter()
                .map(|k| k.join(" | "))
                .collect::<Vec<_>>()
                .join("\n    "),
            report.to_turtle()
        ))
    }
}

#[test]
fn shacl_w3c_core() {
    let Some(manifest) = crate::common::shared("conformance/shacl-w3c/tests/core/manifest.ttl")
    else {
        return;
    };
    let manifest = std::fs::canonicalize(&manifest).unwrap_or(manifest);
    let mut loader = Loader {
        graphs: HashMap::new(),
    };
    let mut tests = Vec::new();
    entries(&mut loader, &file_url(&manifest), &mut tests).expect("manifests load");
    let (mut passed, mut ignored, mut failures) = (0, 0, Vec::new());
    for (test, manifest) in &tests {
        if let Some((_, reason)) = IGNORED.iter().find(|(name, _)| test.ends_with(name)) {
            println!("ignored {test}: {reason}");
            ignored += 1;
            continue;
        }
        match run_one(&mut loader, test, manifest) {
            Ok(true) => passed += 1,
            Ok(false) => {}
            Err(e) => failures.push(format!("{test}: {e}")),
        }
    }
    println!(
        "SHACL W3C core: {passed} passed, {ignored} ignored, {} failed",
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

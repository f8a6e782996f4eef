//! The data model: every file parses, every `bia:` term is declared with
//! French and English labels, every property has an access level, the demo
//! conforms, each invalid file yields exactly its expected violations, and
//! the mapping table covers the network's 38 fields.

use crate::common::BASE;
use oxrdf::vocab::{rdf, rdfs};
use oxrdf::{Graph, NamedNode, NamedNodeRef, Term, TermRef, Triple};
use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn rdf_files(dir: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root().join(dir)];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d)
            .expect("dir")
            .map(|e| e.expect("entry").path())
        {
            if e.is_dir() {
                stack.push(e);
            } else if bibia::rdf::format_of(&e).is_some() {
                out.push(e);
            }
        }
    }
    out.sort();
    out
}

fn graph(paths: &[PathBuf]) -> Graph {
    paths
        .iter()
        .flat_map(|p| bibia::rdf::read_file(p, BASE).unwrap_or_else(|e| panic!("{e}")))
        .map(Triple::from)
        .collect()
}

fn ontology() -> Graph {
    graph(&[root().join("ontology/bibia.ttl")])
}

fn bia_terms(g: &Graph) -> BTreeSet<NamedNode> {
    let mut terms = BTreeSet::new();
    for t in g {
        for term in [
            Term::from(t.subject.into_owned()),
            Term::from(t.predicate.into_owned()),
            t.object.into_owned(),
        ] {
            if let Term::NamedNode(n) = term
                && n.as_str().starts_with(bibia::vocab::BIA)
            {
                terms.insert(n);
            }
        }
    }
    terms
}

fn has_label(onto: &Graph, term: NamedNodeRef<'_>, lang: &str) -> bool {
    onto.objects_for_subject_predicate(term, rdfs::LABEL)
        .any(|o| matches!(o, TermRef::Literal(l) if l.language() == Some(lang)))
}

#[test]
fn every_file_of_the_model_and_data_parses() {
    for dir in ["ontology", "shapes", "data"] {
        for f in rdf_files(dir) {
            bibia::rdf::read_file(&f, BASE).unwrap_or_else(|e| panic!("{e}"));
        }
    }
}

#[test]
fn every_bia_term_is_declared_with_french_and_english_labels() {
    let onto = ontology();
    // Shapes are named in the bia: namespace too: they are described by the
    // shapes graph itself, so every subject of that graph is left out.
    let shapes = graph(&rdf_files("shapes"));
    let shape_names: HashSet<NamedNode> = shapes
        .iter()
        .filter_map(|t| match t.subject {
            oxrdf::NamedOrBlankNodeRef::NamedNode(n) => Some(n.into_owned()),
            oxrdf::NamedOrBlankNodeRef::BlankNode(_) => None,
        })
        .collect();
    let mut used: BTreeSet<NamedNode> = bia_terms(&shapes)
        .into_iter()
        .filter(|t| !shape_names.contains(t))
        .collect();
    used.extend(bia_terms(&graph(&rdf_files("data"))));
    used.extend(bia_terms(&graph(&rdf_files("ontology/vocabularies"))));
    used.extend(bibia::vocab::bia::ALL.iter().map(|t| t.into_owned()));
    let declared: HashSet<NamedNode> = onto
        .triples_for_predicate(rdf::TYPE)
        .filter_map(|t| match t.subject {
            oxrdf::NamedOrBlankNodeRef::NamedNode(n) => Some(n.into_owned()),
            oxrdf::NamedOrBlankNodeRef::BlankNode(_) => None,
        })
        .collect();
    let mut problems = Vec::new();
    for t in &used {
        if !declared.contains(t) {
            problems.push(format!("{t} n'est pas déclaré"));
        } else if !has_label(&onto, t.as_ref(), "fr") || !has_label(&onto, t.as_ref(), "en") {
            problems.push(format!("{t} n'a pas de libellé fr et en"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_property_used_in_data_has_an_access_level() {
    let onto = ontology();
    let data = graph(&rdf_files("data"));
    let mut missing: BTreeSet<String> = BTreeSet::new();
    for t in &data {
        let p = t.predicate;
        if onto
            .object_for_subject_predicate(p, bibia::vocab::bia::ACCESS_LEVEL)
            .is_none()
        {
            missing.insert(p.to_string());
        }
    }
    for t in onto.triples_for_predicate(rdf::TYPE) {
        let is_property = [
            "http://www.w3.org/2002/07/owl#ObjectProperty",
            "http://www.w3.org/2002/07/owl#DatatypeProperty",
            "http://www.w3.org/1999/02/22-rdf-syntax-ns#Property",
        ]
        .iter()
        .any(|c| t.object == TermRef::from(NamedNodeRef::new_unchecked(c)));
        if is_property
            && onto
                .object_for_subject_predicate(t.subject, bibia::vocab::bia::ACCESS_LEVEL)
                .is_none()
        {
            missing.insert(t.subject.to_string());
        }
    }
    assert!(
        missing.is_empty(),
        "propriétés sans niveau d'accès : {missing:?}"
    );
}

#[test]
fn the_demo_is_fictitious_and_large_enough() {
    let data = graph(&rdf_files("data/demo"));
    let count = |class: &str| {
        data.subjects_for_predicate_object(rdf::TYPE, NamedNodeRef::new_unchecked(class))
            .count()
    };
    let bia = |l: &str| format!("{}{l}", bibia::vocab::BIA);
    assert!(count(&bia("UseCase")) >= 40);
    assert!(count("http://www.w3.org/ns/org#Organization") >= 30);
    assert!(count(&bia("Solution")) >= 15);
    assert!(count(&bia("TechnicalResource")) >= 30);
    assert!(count(&bia("AlgorithmRecord")) >= 20);
    for kind in ["SourceCode", "Dataset", "TrainedModel", "Document"] {
        assert!(count(&bia(kind)) >= 1, "no resource of kind {kind}");
    }
    let yes = oxrdf::Literal::from(true);
    let fictitious = data
        .subjects_for_predicate_object(bibia::vocab::bia::IS_FICTITIOUS, yes.as_ref())
        .count();
    assert!(fictitious >= count(&bia("UseCase")) + count("http://www.w3.org/ns/org#Organization"));
}

/// The expected violations of `data/invalid/expected.json`.
#[derive(Debug, serde::Deserialize, PartialEq, Eq, PartialOrd, Ord, Clone)]
struct Expected {
    focus: String,
    path: Option<String>,
    component: String,
    severity: String,
}

#[test]
fn each_invalid_file_yields_exactly_its_expected_violations() {
    let expected: std::collections::BTreeMap<String, Vec<Expected>> = serde_json::from_slice(
        &std::fs::read(root().join("data/invalid/expected.json")).expect("expected.json"),
    )
    .expect("expected.json parses");
    assert!(expected.len() >= 15, "at least 15 invalid files");
    let base = crate::common::base();
    let model = bibia::model::Model::bundled(&base).expect("model");
    for (file, want) in &expected {
        let quads =
            bibia::rdf::read_file(&root().join("data/invalid").join(file), BASE).expect("parses");
        let data = bibia::shacl::DataGraph::from_triples(
            quads.into_iter().map(Triple::from).chain(model.context()),
        );
        let report = model.shapes.validate(&data);
        let mut got: Vec<Expected> = report
            .results()
            .iter()
            .map(|r| Expected {
                focus: term_str(r.focus_node()),
                path: r
                    .path()
                    .map(|p| p.to_string().trim_matches(['<', '>']).to_owned()),
                component: r.source_constraint_component().as_str().to_owned(),
                severity: r.severity().iri().as_str().to_owned(),
            })
            .collect();
        got.sort();
        let mut want = want.clone();
        want.sort();
        assert_eq!(got, want, "{file}");
    }
}

fn term_str(t: &Term) -> String {
    match t {
        Term::NamedNode(n) => n.as_str().to_owned(),
        other => other.to_string(),
    }
}

#[test]
fn the_mapping_table_covers_the_networks_38_fields() {
    let Some(schema) =
        crate::common::shared("reference/interconnectes/interconnectes_IA-schema.json")
    else {
        return;
    };
    let bytes = std::fs::read(&schema).expect("schema readable");
    let schema: serde_json::Value = serde_json::from_slice(&bytes).expect("schema parses");
    let table =
        std::fs::read_to_string(root().join("ontology/README.md")).expect("ontology/README.md");
    let fields = schema["fields"].as_array().expect("fields");
    assert_eq!(fields.len(), 38);
    let missing: Vec<&str> = fields
        .iter()
        .filter_map(|f| f["name"].as_str())
        .filter(|name| {
            !table
                .lines()
                .any(|l| l.starts_with('|') && l.contains(&format!("`{name}`")))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "fields missing from ontology/README.md: {missing:?}"
    );
}

#[test]
fn the_demo_conforms_with_bibias_validator() {
    // The shared demo store loads the model, the territories and the demo
    // through the validated write path; reaching here means it conformed.
    let (full, public) = crate::common::demo().stores.sizes().expect("sizes");
    assert!(full > public && public > 0);
}

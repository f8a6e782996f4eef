//! The store: load, export, atomicity, the public projection, backup.

use crate::common::{BASE, TestStore};
use bibia::store::{Batch, LoadError};
use oxigraph::io::RdfFormat;
use oxrdf::dataset::CanonicalizationAlgorithm;
use oxrdf::{Graph, GraphName, Literal, Quad, Term, Triple};
use std::path::Path;

fn dump(store: &TestStore, full: bool) -> Vec<u8> {
    store
        .stores
        .export(RdfFormat::NQuads, full, Vec::new())
        .expect("export")
}

/// The triples of an export, without the private system graph.
fn graph_of_dump(nq: &[u8]) -> Graph {
    let quads = bibia::rdf::parse(Path::new("export.nq"), RdfFormat::NQuads, nq, BASE)
        .expect("export parses");
    quads
        .into_iter()
        .filter(|q| q.graph_name != GraphName::from(bibia::vocab::SYSTEM_GRAPH))
        .map(Triple::from)
        .collect()
}

fn canonical_literal(t: Triple) -> Triple {
    use oxrdf::vocab::xsd;
    use std::str::FromStr;
    let Term::Literal(l) = &t.object else {
        return t;
    };
    let v = l.value();
    let canon = match l.datatype() {
        d if d == xsd::DECIMAL => oxsdatatypes::Decimal::from_str(v)
            .map(|x| x.to_string())
            .ok(),
        d if d == xsd::INTEGER => oxsdatatypes::Integer::from_str(v)
            .map(|x| x.to_string())
            .ok(),
        d if d == xsd::DOUBLE => oxsdatatypes::Double::from_str(v)
            .map(|x| x.to_string())
            .ok(),
        d if d == xsd::BOOLEAN => oxsdatatypes::Boolean::from_str(v)
            .map(|x| x.to_string())
            .ok(),
        _ => None,
    };
    match canon {
        Some(c) if c != v => Triple::new(
            t.subject.clone(),
            t.predicate.clone(),
            Literal::new_typed_literal(c, l.datatype().into_owned()),
        ),
        _ => t,
    }
}

fn canonical(mut g: Graph) -> Graph {
    g.canonicalize(CanonicalizationAlgorithm::Unstable);
    g
}

#[test]
fn load_then_full_export_round_trips() {
    // The shared demo store was filled by one validated load of the model,
    // the territories and the demo files: its full export is that graph.
    let store = crate::common::demo();
    let batches = bibia::model::seed::batches(
        store.stores.model(),
        store.stores.base(),
        bibia::model::seed::Seed {
            reference: true,
            demo: true,
        },
    )
    .expect("bundle parses");
    // oxigraph stores numbers by value: "43.2990"^^xsd:decimal comes back as
    // "43.299". The loaded side is put in that canonical form before comparing.
    let expected: Graph = batches
        .iter()
        .flat_map(|b| b.quads.iter().cloned().map(Triple::from))
        .map(canonical_literal)
        .collect();
    assert!(
        expected.len() > 300_000,
        "territories and demo are in the bundle"
    );
    let exported = graph_of_dump(&dump(store, true));
    let (exported, expected) = (canonical(exported), canonical(expected));
    let extra: Vec<_> = exported
        .iter()
        .filter(|t| !expected.contains(*t))
        .take(5)
        .collect();
    let missing: Vec<_> = expected
        .iter()
        .filter(|t| !exported.contains(*t))
        .take(5)
        .collect();
    assert!(
        extra.is_empty() && missing.is_empty(),
        "exported but not loaded: {extra:?}\nloaded but not exported: {missing:?}"
    );
    assert_eq!(exported.len(), expected.len());
}

#[test]
fn a_non_conforming_file_is_refused_and_changes_nothing() {
    let store = TestStore::with_model();
    let before = dump(&store, true);
    let bad = Batch {
        name: "sans-titre.ttl".into(),
        quads: bibia::rdf::parse(
            Path::new("sans-titre.ttl"),
            RdfFormat::Turtle,
            b"</id/projet/x> a <https://w3id.org/bibia/def#UseCase> .",
            BASE,
        )
        .expect("parses"),
        text: None,
    };
    match store.stores.load(vec![bad], |_| ()) {
        Err(LoadError::NotConform { report, .. }) => {
            assert!(!report.conforms());
            let text = report.to_french_text(None);
            assert!(text.contains("http://localhost:8080/id/projet/x"), "{text}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(dump(&store, true), before, "a refused load wrote something");
}

#[test]
fn a_malformed_file_names_its_line() {
    let err = bibia::rdf::parse(
        Path::new("casse.ttl"),
        RdfFormat::Turtle,
        b"@prefix ex: <http://e/> .\nex:a ex:b \"oups .\n",
        BASE,
    )
    .expect_err("malformed");
    let msg = err.to_string();
    assert!(
        msg.contains("casse.ttl") && msg.contains("ligne 2"),
        "{msg}"
    );
}

#[test]
fn the_public_projection_holds_no_restricted_triple() {
    let store = crate::common::demo();
    let policy = &store.stores.model().policy;
    let restricted: Vec<_> = policy.restricted().cloned().collect();
    assert!(
        restricted.len() >= 15,
        "the ontology marks the network's restricted fields"
    );
    let public = graph_of_dump(&dump(store, false));
    let full = graph_of_dump(&dump(store, true));
    let leaked: Vec<_> = public
        .iter()
        .filter(|t| restricted.iter().any(|p| p.as_ref() == t.predicate))
        .collect();
    assert!(
        leaked.is_empty(),
        "restricted triples in the projection: {leaked:?}"
    );
    let hidden = full
        .iter()
        .filter(|t| restricted.iter().any(|p| p.as_ref() == t.predicate))
        .count();
    assert!(
        hidden > 100,
        "the demo fills restricted fields ({hidden} restricted triples)"
    );
    let contact = public
        .iter()
        .filter(|t| t.subject.to_string().ends_with("#contact>"))
        .count();
    assert!(
        full.iter()
            .any(|t| t.subject.to_string().ends_with("#contact>")),
        "the demo has contact nodes"
    );
    assert_eq!(contact, 0, "contact nodes are dropped with their type");
}

#[test]
fn reloading_a_record_replaces_it() {
    let store = TestStore::with_model();
    let v1 = Batch {
        name: "a.ttl".into(),
        quads: org("Ville d'Essai", "Essai"),
        text: None,
    };
    store.stores.load(vec![v1], |_| ()).expect("v1 loads");
    let v2 = Batch {
        name: "a.ttl".into(),
        quads: org("Ville d'Essai-sur-Mer", "Essai"),
        text: None,
    };
    let summary = store.stores.load(vec![v2], |_| ()).expect("v2 loads");
    assert_eq!(summary.replaced, 1);
    let text = String::from_utf8(dump(&store, false)).expect("utf-8");
    assert!(
        text.contains("Essai-sur-Mer") && !text.contains("\"Ville d'Essai\"@fr"),
        "{text}"
    );
}

#[test]
fn reloading_an_unchanged_record_writes_nothing() {
    let store = TestStore::with_model();
    let batch = || Batch {
        name: "a.ttl".into(),
        quads: org("Ville d'Essai", "Essai"),
        text: None,
    };
    store
        .stores
        .load(vec![batch()], |_| ())
        .expect("first load");
    let version = store.stores.public().version();
    let before = dump(&store, true);
    let summary = store
        .stores
        .load(vec![batch()], |_| ())
        .expect("second load");
    assert_eq!(
        (summary.graphs, summary.unchanged, summary.replaced),
        (1, 1, 0)
    );
    assert_eq!(store.stores.public().version(), version, "no new version");
    assert_eq!(dump(&store, true), before);
    // With a new record beside it, the new one is written, the other left.
    let mut quads = org("Ville d'Essai", "Essai");
    quads.extend(bibia::rdf::parse(
        Path::new("b.ttl"),
        RdfFormat::Turtle,
        "@prefix org: <http://www.w3.org/ns/org#> . @prefix foaf: <http://xmlns.com/foaf/0.1/> .\n\
         </id/organisation/autre> a org:Organization ; foaf:name \"Autre\"@fr ."
            .as_bytes(),
        BASE,
    )
    .expect("parses"));
    let batch = Batch {
        name: "ab.ttl".into(),
        quads,
        text: None,
    };
    let summary = store.stores.load(vec![batch], |_| ()).expect("third load");
    assert_eq!(
        (summary.graphs, summary.unchanged, summary.replaced),
        (2, 1, 0)
    );
    let text = String::from_utf8(dump(&store, false)).expect("utf-8");
    assert!(
        text.contains("\"Autre\"@fr") && text.contains("\"Ville d'Essai\"@fr"),
        "{text}"
    );
}

fn org(name: &str, _short: &str) -> Vec<Quad> {
    let ttl = format!(
        "@prefix bia: <https://w3id.org/bibia/def#> . @prefix org: <http://www.w3.org/ns/org#> . @prefix foaf: <http://xmlns.com/foaf/0.1/> .\n\
         </id/organisation/essai> a org:Organization, bia:LocalAuthority ; foaf:name \"{name}\"@fr ;\n\
         bia:siren \"732829320\" ; bia:organisationType </id/concept/type-organisation/commune> ."
    );
    bibia::rdf::parse(Path::new("a.ttl"), RdfFormat::Turtle, ttl.as_bytes(), BASE).expect("parses")
}

#[test]
fn backup_then_restore_gives_the_same_store() {
    let store = TestStore::with_model();
    store
        .stores
        .load(
            vec![Batch {
                name: "a.ttl".into(),
                quads: org("Ville d'Essai", "Essai"),
                text: None,
            }],
            |_| (),
        )
        .expect("loads");
    let before_full = dump(&store, true);
    let before_public = dump(&store, false);
    let target = store.dir.path().join("sauvegarde");
    store.stores.backup(&target).expect("backup");
    let other = tempfile::tempdir().expect("temp dir");
    let restored =
        bibia::store::restore(&target, &other.path().join("data"), crate::common::base())
            .expect("restore");
    assert_eq!(
        restored
            .export(RdfFormat::NQuads, true, Vec::new())
            .expect("export"),
        before_full
    );
    assert_eq!(
        restored
            .export(RdfFormat::NQuads, false, Vec::new())
            .expect("export"),
        before_public
    );
}

/// The state a crash between the two commits leaves (the full store holds a
/// load, the projection does not, its marker is behind): reopening rebuilds
/// the projection. `scripts/crash-load.sh` produces that state for real.
#[test]
fn a_projection_left_behind_is_rebuilt_on_open() {
    let store = TestStore::with_model();
    let quads = bibia::rdf::read_file(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("data/valid/complete.ttl"),
        BASE,
    )
    .expect("parses");
    let batch = Batch {
        name: "complete.ttl".into(),
        quads,
        text: None,
    };
    store.stores.load(vec![batch], |_| ()).expect("loads");
    let expected = sorted_lines(dump(&store, false));
    let crate::common::TestStore { dir, stores } = store;
    drop(stores);
    let data = dir.path().join("data");
    let public = oxigraph::store::Store::open(data.join("public")).expect("public store");
    public.clear().expect("clear");
    drop(public);
    std::fs::write(data.join("public").join("PROJECTION"), "1").expect("marker");

    let reopened = crate::common::TestStore {
        stores: bibia::store::Stores::open(&data, crate::common::base())
            .expect("reopens")
            .into(),
        dir,
    };
    assert_eq!(sorted_lines(dump(&reopened, false)), expected);
}

fn sorted_lines(dump: Vec<u8>) -> Vec<Vec<u8>> {
    let mut lines: Vec<Vec<u8>> = dump.split(|b| *b == b'\n').map(<[u8]>::to_vec).collect();
    lines.sort_unstable();
    lines
}

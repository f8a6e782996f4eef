//! Queries that try to reach restricted data: none may.

use super::*;

/// Restricted properties, read from the ontology, and restricted values,
/// read from the demo files (those no public triple also carries).
fn restricted() -> (BTreeSet<String>, BTreeSet<String>) {
    let root = env!("CARGO_MANIFEST_DIR");
    let parse = |path: String| {
        RdfParser::from_format(RdfFormat::Turtle)
            .with_base_iri(BASE)
            .expect("base")
            .for_slice(&std::fs::read(&path).expect("file"))
            .collect::<Result<Vec<_>, _>>()
            .expect("Turtle")
    };
    let level = NamedNode::new_unchecked("https://w3id.org/bibia/def#accessLevel");
    let restreint = Term::from(NamedNode::new_unchecked(
        "https://w3id.org/bibia/def#restreint",
    ));
    let properties: BTreeSet<String> = parse(format!("{root}/ontology/bibia.ttl"))
        .into_iter()
        .filter(|q| q.predicate == level && q.object == restreint)
        .map(|q| q.subject.to_string().trim_matches(['<', '>']).to_owned())
        .collect();
    assert!(properties.len() > 15, "{properties:?}");
    let mut hidden = BTreeSet::new();
    let mut public = BTreeSet::new();
    for entry in std::fs::read_dir(format!("{root}/data/demo")).expect("demo") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "ttl") {
            continue;
        }
        for q in parse(path.display().to_string()) {
            let value = match &q.object {
                Term::Literal(l) if l.value().len() > 15 => l.value().to_owned(),
                Term::NamedNode(n)
                    if n.as_str().starts_with("mailto:") || n.as_str().starts_with("tel:") =>
                {
                    n.as_str().to_owned()
                }
                _ => continue,
            };
            if properties.contains(q.predicate.as_str()) {
                hidden.insert(value);
            } else {
                public.insert(value);
            }
        }
    }
    // A restricted value that is also part of a public one (an algorithm
    // name repeated in the public description) is not a secret.
    hidden.retain(|v| !public.iter().any(|p| p.contains(v.as_str())));
    assert!(hidden.len() > 100, "{}", hidden.len());
    (properties, hidden)
}

fn assert_clean(label: &str, text: &str, properties: &BTreeSet<String>, values: &BTreeSet<String>) {
    for p in properties {
        assert!(
            !text.contains(p.as_str()),
            "{label}: restricted property {p} leaked"
        );
    }
    for v in values {
        assert!(
            !text.contains(v.as_str()),
            "{label}: restricted value « {v} » leaked"
        );
    }
}

#[tokio::test]
async fn no_query_form_reaches_restricted_data() {
    let (properties, values) = restricted();
    let app = TestApp::with_limits(common::demo(), limited(|l| l.max_rows = 10_000_000));
    let contact = format!("{PROJECT}#contact");
    let algorithm = format!("{PROJECT}#algorithme");
    let projects = "FILTER(STRSTARTS(STR(?g), \"http://localhost:8080/id/projet/\") || STRSTARTS(STR(?g), \"http://localhost:8080/id/organisation/\"))";
    let queries: Vec<(String, String)> = vec![
        (
            format!("CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {projects} }}"),
            String::new(),
        ),
        (
            format!(
                "SELECT ?s ?p ?o WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), \"{PROJECT}\")) }}"
            ),
            String::new(),
        ),
        (
            format!("SELECT * FROM <{PROJECT}> WHERE {{ ?s ?p ?o }}"),
            String::new(),
        ),
        (
            format!(
                "SELECT * FROM NAMED <{PROJECT}> FROM NAMED <urn:bibia:system> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
            ),
            String::new(),
        ),
        (
            "SELECT * WHERE { ?s ?p ?o }".into(),
            format!(
                "&default-graph-uri={}&default-graph-uri={}",
                enc(PROJECT),
                enc("urn:bibia:system")
            ),
        ),
        (
            "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }".into(),
            format!("&named-graph-uri={}", enc(PROJECT)),
        ),
        (format!("DESCRIBE <{PROJECT}>"), String::new()),
        (format!("DESCRIBE <{contact}> <{algorithm}>"), String::new()),
        (
            format!("SELECT ?o WHERE {{ <{PROJECT}> (<urn:x>|!<urn:x>)* ?o }}"),
            String::new(),
        ),
        (
            format!("SELECT ?p ?o WHERE {{ <{PROJECT}> (<urn:x>|!<urn:x>)* ?x . ?x ?p ?o }}"),
            String::new(),
        ),
        (
            format!("SELECT ?s ?p WHERE {{ ?s ?p <{contact}> }}"),
            String::new(),
        ),
        (
            "SELECT DISTINCT ?p WHERE { ?s ?p ?o }".into(),
            String::new(),
        ),
        (
            "SELECT DISTINCT ?p WHERE { GRAPH ?g { ?s ?p ?o } }".into(),
            String::new(),
        ),
        (
            "SELECT * WHERE { GRAPH <urn:bibia:system> { ?s ?p ?o } }".into(),
            String::new(),
        ),
    ];
    for (query, extra) in &queries {
        let r = get_query(
            &app,
            query,
            &format!(
                "{extra}&format={}",
                if query.contains("SELECT") {
                    "tsv"
                } else {
                    "nt"
                }
            ),
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{query}: {}", r.text());
        assert_clean(query, &r.text(), &properties, &values);
    }
    // The contact node does not exist publicly, not even its type.
    for ask in [
        format!("ASK {{ <{contact}> ?p ?o }}"),
        format!("ASK {{ GRAPH ?g {{ ?s ?p <{contact}> }} }}"),
    ] {
        let r = get_query(&app, &ask, "&format=json", None).await;
        assert!(r.text().contains("false"), "{ask}: {}", r.text());
    }
    // Counting the restricted predicates anywhere gives zero.
    let values_clause: String = properties.iter().map(|p| format!("<{p}> ")).collect();
    for q in [
        format!("SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?p {{ {values_clause} }} ?s ?p ?o }}"),
        format!(
            "SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?p {{ {values_clause} }} GRAPH ?g {{ ?s ?p ?o }} }}"
        ),
    ] {
        assert_eq!(count(&select_on(&app, &q, "").await.1), 0, "{q}");
    }
    // Exact and substring searches for known restricted values find nothing.
    let exact: Vec<&String> = values
        .iter()
        .filter(|v| !v.contains(['"', '\\', '\n']))
        .take(200)
        .collect();
    let literals: String = exact
        .iter()
        .map(|v| {
            if v.starts_with("mailto:") || v.starts_with("tel:") {
                format!("<{v}> ")
            } else {
                format!("\"{v}\"@fr \"{v}\" ")
            }
        })
        .collect();
    let q = format!(
        "SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?o {{ {literals} }} GRAPH ?g {{ ?s ?p ?o }} }}"
    );
    assert_eq!(count(&select_on(&app, &q, "").await.1), 0);
    for needle in [
        "ia-proprete@grandlyon",
        "pôle relation usagers",
        "Green Algorithms",
        "fonds-propres-interne",
    ] {
        let q = format!(
            "SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {projects} FILTER(CONTAINS(STR(?o), \"{needle}\")) }}"
        );
        assert_eq!(count(&select_on(&app, &q, "").await.1), 0, "{needle}");
    }
}

#[tokio::test]
async fn protocol_parameters_and_dataset_clauses_cannot_widen_the_store() {
    let app = TestApp::demo();
    // Named graphs seen through the endpoint are public graphs, never the
    // private system graph, whatever the protocol asks for.
    let (_, rows) = select_on(
        &app,
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
        "",
    )
    .await;
    assert!(
        rows.iter()
            .all(|r| r["g"].starts_with(BASE) || r["g"] == "https://w3id.org/bibia/def"),
        "{rows:?}"
    );
    for extra in [
        "&named-graph-uri=urn%3Abibia%3Asystem",
        "&default-graph-uri=urn%3Abibia%3Asystem",
    ] {
        for q in [
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
            "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
        ] {
            assert_eq!(count(&select_on(&app, q, extra).await.1), 0, "{q} {extra}");
        }
    }
}

//! The SPARQL 1.1 Protocol: methods, parameters, formats, statuses, the
//! service description and the query page, CORS and compression.

use super::*;

#[tokio::test]
async fn get_post_form_and_post_query_give_the_same_answer() {
    let app = TestApp::demo();
    let q = "SELECT (COUNT(*) AS ?n) WHERE { ?p a <https://w3id.org/bibia/def#UseCase> }";
    let by_get = get_query(&app, q, "", None).await;
    let by_form = post(
        &app,
        "application/x-www-form-urlencoded",
        format!("query={}", enc(q)),
        None,
    )
    .await;
    let by_body = post(&app, "application/sparql-query; charset=utf-8", q, None).await;
    for r in [&by_get, &by_form, &by_body] {
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.header("content-type"), Some(JSON));
        assert_eq!(r.header("x-bibia-max-rows"), Some("100000"));
        assert_eq!(r.header("x-bibia-truncated"), Some("false"));
        assert_eq!(r.header("vary"), Some("Accept"));
    }
    assert_eq!(count(&parse_json(&by_get.body).1), 46);
    assert_eq!(by_get.body, by_form.body);
    assert_eq!(by_get.body, by_body.body);
}

#[tokio::test]
async fn results_formats_by_accept_and_by_format_parameter() {
    let app = TestApp::demo();
    let q = "SELECT ?t WHERE { <http://localhost:8080/id/projet/metropole-de-lyon-chatbot-dechets> <http://purl.org/dc/terms/title> ?t }";
    let cases = [
        (
            "application/sparql-results+json",
            "json",
            "application/sparql-results+json",
            "\"Chatbot déchets\"",
        ),
        (
            "application/sparql-results+xml",
            "xml",
            "application/sparql-results+xml",
            "<literal xml:lang=\"fr\">Chatbot déchets</literal>",
        ),
        (
            "text/csv",
            "csv",
            "text/csv; charset=utf-8",
            "t\r\nChatbot déchets",
        ),
        (
            "text/tab-separated-values",
            "tsv",
            "text/tab-separated-values; charset=utf-8",
            "?t\n\"Chatbot déchets\"@fr",
        ),
    ];
    for (accept, short, content_type, needle) in cases {
        for r in [
            get_query(&app, q, "", Some(accept)).await,
            get_query(&app, q, &format!("&format={short}"), Some("text/html")).await,
        ] {
            assert_eq!(r.status, StatusCode::OK, "{short}: {}", r.text());
            assert_eq!(r.header("content-type"), Some(content_type));
            assert!(r.text().contains(needle), "{short}: {}", r.text());
        }
    }
    let ask = get_query(
        &app,
        "ASK { ?s a <https://w3id.org/bibia/def#UseCase> }",
        "&format=xml",
        None,
    )
    .await;
    assert!(
        ask.text().contains("<boolean>true</boolean>"),
        "{}",
        ask.text()
    );
}

#[tokio::test]
async fn graph_formats_by_accept_and_by_format_parameter() {
    let app = TestApp::demo();
    let q = format!("CONSTRUCT {{ <{PROJECT}> ?p ?o }} WHERE {{ <{PROJECT}> ?p ?o }}");
    let cases = [
        ("text/turtle", "ttl", RdfFormat::Turtle),
        ("application/n-triples", "nt", RdfFormat::NTriples),
        ("application/n-quads", "nq", RdfFormat::NQuads),
        (
            "application/ld+json",
            "jsonld",
            RdfFormat::JsonLd {
                profile: Default::default(),
            },
        ),
        ("application/rdf+xml", "rdf", RdfFormat::RdfXml),
    ];
    let mut sizes = BTreeSet::new();
    for (accept, short, format) in cases {
        for r in [
            get_query(&app, &q, "", Some(accept)).await,
            get_query(&app, &q, &format!("&format={short}"), None).await,
        ] {
            assert_eq!(r.status, StatusCode::OK, "{short}: {}", r.text());
            let media_type = match format {
                RdfFormat::Turtle => "text/turtle; charset=utf-8",
                other => other.media_type(),
            };
            assert_eq!(r.header("content-type"), Some(media_type), "{short}");
            let triples = RdfParser::from_format(format)
                .for_slice(&r.body)
                .collect::<Result<Vec<_>, _>>()
                .expect(short);
            sizes.insert(triples.len());
        }
    }
    assert_eq!(
        sizes.len(),
        1,
        "every format carries the same triples: {sizes:?}"
    );
    assert!(sizes.first().is_some_and(|n| *n > 10));
    let describe = get_query(&app, &format!("DESCRIBE <{PROJECT}>"), "", None).await;
    assert_eq!(
        describe.header("content-type"),
        Some("text/turtle; charset=utf-8")
    );
}

/// The `format` / `output` / `results` names of SPARQLWrapper, rdflib,
/// Fuseki and Virtuoso, for each query form.
#[tokio::test]
async fn format_names_of_common_clients_and_endpoints() {
    let app = TestApp::demo();
    let select = "SELECT ?x WHERE { VALUES ?x { 1 } }";
    let construct = format!("CONSTRUCT {{ <{PROJECT}> ?p ?o }} WHERE {{ <{PROJECT}> ?p ?o }}");
    let cases: &[(&str, &str, &str)] = &[
        (select, "format=json", "application/sparql-results+json"),
        (select, "output=json", "application/sparql-results+json"),
        (select, "results=json", "application/sparql-results+json"),
        (select, "format=srj", "application/sparql-results+json"),
        (select, "output=xml", "application/sparql-results+xml"),
        (select, "format=sparql", "application/sparql-results+xml"),
        (select, "format=srx", "application/sparql-results+xml"),
        (select, "output=csv", "text/csv; charset=utf-8"),
        (
            select,
            "format=tsv&format=text%2Ftab-separated-values&output=tsv",
            "text/tab-separated-values; charset=utf-8",
        ),
        (&construct, "format=turtle", "text/turtle; charset=utf-8"),
        (&construct, "output=turtle", "text/turtle; charset=utf-8"),
        (&construct, "format=n3", "text/turtle; charset=utf-8"),
        (
            &construct,
            "format=text%2Fturtle",
            "text/turtle; charset=utf-8",
        ),
        (&construct, "format=ntriples", "application/n-triples"),
        (&construct, "format=n-triples", "application/n-triples"),
        (&construct, "format=nquads", "application/n-quads"),
        (
            &construct,
            "format=json-ld&format=application%2Fld%2Bjson",
            "application/ld+json",
        ),
        (&construct, "format=json", "application/ld+json"),
        (&construct, "format=rdfxml", "application/rdf+xml"),
        (
            &construct,
            "format=rdf%2Bxml&format=application%2Frdf%2Bxml",
            "application/rdf+xml",
        ),
        (&construct, "format=xml", "application/rdf+xml"),
        (&construct, "output=rdf", "application/rdf+xml"),
    ];
    for (query, params, media_type) in cases {
        let r = get_query(&app, query, &format!("&{params}"), Some("*/*")).await;
        assert_eq!(r.status, StatusCode::OK, "{params}: {}", r.text());
        assert_eq!(r.header("content-type"), Some(*media_type), "{params}");
    }
    // A name that means nothing for this query form is a 406 in both
    // languages, listing what is possible.
    let r = get_query(&app, select, "&format=turtle&output=turtle", None).await;
    assert_eq!(r.status, StatusCode::NOT_ACCEPTABLE);
    assert!(r.text().contains("json, xml, csv, tsv"), "{}", r.text());
    assert!(
        r.text().contains("Error 406 (Not Acceptable): format"),
        "{}",
        r.text()
    );
}

#[tokio::test]
async fn not_acceptable_and_unsupported_media_type() {
    let app = TestApp::demo();
    let select = "SELECT * WHERE { ?s ?p ?o } LIMIT 1";
    assert_eq!(
        get_query(&app, select, "", Some("image/png")).await.status,
        StatusCode::NOT_ACCEPTABLE
    );
    assert_eq!(
        get_query(&app, select, "", Some("text/turtle"))
            .await
            .status,
        StatusCode::NOT_ACCEPTABLE
    );
    assert_eq!(
        get_query(&app, select, "&format=ttl", None).await.status,
        StatusCode::NOT_ACCEPTABLE
    );
    let construct = "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1";
    assert_eq!(
        get_query(&app, construct, "", Some("text/csv"))
            .await
            .status,
        StatusCode::NOT_ACCEPTABLE
    );
    assert_eq!(
        get_query(&app, construct, "", Some("text/csv, */*;q=0.1"))
            .await
            .status,
        StatusCode::OK
    );
    let r = post(&app, "text/plain", select, None).await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(
        r.text().contains("application/sparql-query"),
        "{}",
        r.text()
    );
    let no_type = app
        .send(
            Request::post("/sparql")
                .body(Body::from(select))
                .expect("request"),
        )
        .await;
    assert_eq!(no_type.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn bad_requests_say_what_is_wrong() {
    let app = TestApp::demo();
    let r = get_query(&app, "SELECT ?s WHERE {\n  ?s ?p \n", "", None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.text()
            .starts_with("Erreur 400 : Requête SPARQL invalide, ligne 3, colonne"),
        "{}",
        r.text()
    );
    assert!(
        r.text()
            .contains("\nError 400 (Bad Request): Invalid SPARQL query, line 3, column"),
        "{}",
        r.text()
    );
    let r = post(
        &app,
        "application/x-www-form-urlencoded",
        "format=json",
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.text().contains("query"), "{}", r.text());
    let r = app
        .get("/sparql?query=ASK%7B%7D&query=ASK%7B%7D", None)
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = get_query(&app, "ASK {}", "&timeout=abc", None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.text().contains("timeout"), "{}", r.text());
    let r = get_query(&app, "ASK {}", "&default-graph-uri=pas%20une%20iri", None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn service_is_refused_by_default() {
    let app = TestApp::demo();
    for q in [
        "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE SILENT ?x { ?s ?q ?r } } } LIMIT 1",
        "SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE <http://169.254.169.254/> { ?s ?q ?r } } } LIMIT 1",
    ] {
        let r = get_query(&app, q, "", None).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{q}: {}", r.text());
        assert!(r.text().contains("SERVICE"), "{}", r.text());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_allowed_service_is_called() {
    let remote = TestApp::demo();
    let endpoint = format!("http://{}/sparql", remote.addr());
    let silent = "http://127.0.0.1:9/sparql".to_owned();
    let app = TestApp::with_limits(
        common::demo(),
        limited(|l| l.service_allow = vec![endpoint.clone(), silent.clone()]),
    );
    let q = format!(
        "SELECT (COUNT(*) AS ?n) WHERE {{ SERVICE <{endpoint}> {{ ?p a <https://w3id.org/bibia/def#UseCase> }} }}"
    );
    let (_, rows) = select_on(&app, &q, "").await;
    assert_eq!(count(&rows), 46);
    // An allowed endpoint that does not answer: a 400 that says why.
    let q = format!("SELECT * WHERE {{ SERVICE <{silent}> {{ ?s ?p ?o }} }}");
    let r = get_query(&app, &q, "", None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    assert!(r.text().contains("connexion impossible"), "{}", r.text());
}

#[tokio::test]
async fn writes_are_refused_with_a_french_403() {
    let app = TestApp::demo();
    let update = "INSERT DATA { <http://x/s> <http://x/p> <http://x/o> }";
    let mut answers = vec![
        app.get(&format!("/sparql?update={}", enc(update)), None)
            .await,
        post(&app, "application/sparql-update", update, None).await,
        post(
            &app,
            "application/x-www-form-urlencoded",
            format!("update={}", enc(update)),
            None,
        )
        .await,
        post_to(
            &app,
            "/sparql?default",
            "text/turtle",
            "<http://x/s> <http://x/p> <http://x/o> .",
            None,
        )
        .await,
        post_to(
            &app,
            "/store?default",
            "text/turtle",
            "<http://x/s> <http://x/p> <http://x/o> .",
            None,
        )
        .await,
    ];
    for method in ["PUT", "DELETE", "PATCH"] {
        for uri in ["/sparql?default", "/store?graph=http%3A%2F%2Fx%2Fg"] {
            let req = Request::builder()
                .method(method)
                .uri(uri)
                .header("content-type", "text/turtle");
            answers.push(
                app.send(
                    req.body(Body::from("<http://x/s> <http://x/p> <http://x/o> ."))
                        .expect("request"),
                )
                .await,
            );
        }
    }
    for r in answers {
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
        assert!(r.text().contains("lecture seule"), "{}", r.text());
    }
    let (_, rows) = select_on(
        &app,
        "SELECT (COUNT(*) AS ?n) WHERE { <http://x/s> ?p ?o }",
        "",
    )
    .await;
    assert_eq!(count(&rows), 0);
}

#[tokio::test]
async fn dataset_from_the_query_and_from_the_protocol() {
    let app = TestApp::demo();
    let own = format!("SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{PROJECT}> {{ ?s ?p ?o }} }}");
    let in_graph = count(&select_on(&app, &own, "").await.1);
    assert!(in_graph > 10);
    let all = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }";
    let union = count(&select_on(&app, all, "").await.1);
    assert!(
        union > in_graph,
        "the default graph is the union of the public graphs"
    );
    let from = format!("SELECT (COUNT(*) AS ?n) FROM <{PROJECT}> WHERE {{ ?s ?p ?o }}");
    assert_eq!(count(&select_on(&app, &from, "").await.1), in_graph);
    let by_param = format!("&default-graph-uri={}", enc(PROJECT));
    assert_eq!(count(&select_on(&app, all, &by_param).await.1), in_graph);
    // The protocol's dataset replaces FROM / FROM NAMED.
    let named = "SELECT (COUNT(DISTINCT ?g) AS ?n) FROM NAMED <http://localhost:8080/id/organisation/metropole-de-lyon> WHERE { GRAPH ?g { ?s ?p ?o } }";
    assert_eq!(count(&select_on(&app, named, "").await.1), 1);
    let (_, rows) = select_on(
        &app,
        "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 1",
        &format!("&named-graph-uri={}", enc(PROJECT)),
    )
    .await;
    assert_eq!(rows[0]["g"], PROJECT);
}

#[tokio::test]
async fn bare_get_describes_the_service_or_shows_the_page() {
    let app = TestApp::demo();
    let sd = app.get("/sparql", None).await;
    assert_eq!(sd.status, StatusCode::OK);
    assert_eq!(
        sd.header("content-type"),
        Some("text/turtle; charset=utf-8")
    );
    let triples: Vec<_> = RdfParser::from_format(RdfFormat::Turtle)
        .for_slice(&sd.body)
        .collect::<Result<_, _>>()
        .expect("Turtle");
    let has = |p: &str, o: &str| {
        triples
            .iter()
            .any(|t| t.predicate.as_str().ends_with(p) && t.object.to_string().contains(o))
    };
    assert!(has("#endpoint", "http://localhost:8080/sparql"));
    assert!(has("#supportedLanguage", "SPARQL11Query"));
    assert!(has("#resultFormat", "SPARQL_Results_JSON"));
    assert!(has("#defaultDataset", "_:"));
    assert_eq!(
        app.get("/sparql?format=jsonld", None)
            .await
            .header("content-type"),
        Some("application/ld+json")
    );
    assert_eq!(
        app.get("/sparql", Some("application/rdf+xml")).await.status,
        StatusCode::OK
    );
    let page = app
        .get(
            "/sparql",
            Some("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(
        html.contains("<html lang=\"fr\">")
            && html.contains("<textarea")
            && html.contains("PREFIX bia:")
    );
    assert!(
        html.matches("<option value=\"").count() >= 12 + 10,
        "examples and formats"
    );
    assert!(
        !html.contains("https://cdn") && !html.contains("<script src"),
        "no external resource"
    );
}

#[tokio::test]
async fn cors_and_compression() {
    let app = TestApp::demo();
    let req = Request::get(format!(
        "/sparql?query={}",
        enc("SELECT * WHERE { ?s ?p ?o } LIMIT 2000")
    ))
    .header("origin", "https://example.org")
    .header("accept-encoding", "gzip")
    .body(Body::empty())
    .expect("request");
    let r = app.send(req).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    assert_eq!(r.header("content-encoding"), Some("gzip"));
    let preflight = Request::options("/sparql")
        .header("origin", "https://example.org")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .body(Body::empty())
        .expect("request");
    let r = app.send(preflight).await;
    assert!(r.status.is_success());
    assert!(
        r.header("access-control-allow-methods")
            .is_some_and(|m| m.contains("POST") || m == "*")
    );
}

//! The files harvesters and tools fetch: `/export/projets.csv` (the
//! network's public CSV layout, read back by the importer), `/sitemap.xml`
//! (every page, and the sitemap index past the limit) and `/robots.txt`.

use crate::common::{self, BASE, TestApp, TestStore};
use crate::pages::restricted::secrets;
use axum::http::StatusCode;
use bibia::import::{Layout, Options, import_bytes};
use bibia::store::PublicStore;
use std::collections::{BTreeMap, BTreeSet};

/// The 16 columns of the network's public export, as its own files and
/// `../shared/reference/interconnectes/interconnectes_IA-fields-custom-props.json`
/// name and order them.
const HEADER: &str = "Nom_collectivite,Nom_du_projet,SIRET,Latitude,Longitude,Type_de_collectivite,Date_de_demarrage,Statut_du_projet,Partenaires,Description_service,Theme,Sous_Theme,Audience,URL_Service,URL_Logo,Date_de_derniere_mise_a_jour";

/// Runs a SELECT over the union of a projection's graphs; each row as text
/// values (IRIs relative to the base, literals as their lexical form).
fn select(store: &PublicStore, query: &str) -> Vec<Vec<String>> {
    common::text_rows(
        store
            .execute(common::union_select(query))
            .expect("query runs"),
    )
}

/// Every public use case by title, with the values the 16 columns carry
/// (field name → values), read from a projection.
fn use_cases(store: &PublicStore) -> BTreeMap<String, BTreeSet<(String, String)>> {
    let rows = select(
        store,
        r#"SELECT ?title ?field ?value WHERE {
            ?p a bia:UseCase ; dcterms:title ?title .
            {
              ?p bia:ledBy/foaf:name ?value . BIND("organisation" AS ?field)
            } UNION {
              ?p bia:ledBy/bia:siren ?value . BIND("siren" AS ?field)
            } UNION {
              ?p bia:ledBy/bia:organisationType/skos:prefLabel ?value .
              FILTER(LANG(?value) = "fr") BIND("type" AS ?field)
            } UNION {
              VALUES (?property ?field) {
                (adms:status "statut") (dcat:theme "theme") (bia:subTheme "sous-theme")
                (bia:audience "audience")
              }
              ?p ?property ?concept . ?concept skos:prefLabel ?value .
              FILTER(LANG(?value) = "fr")
            } UNION {
              VALUES (?property ?field) {
                (dcterms:description "description") (geo:lat "latitude")
                (geo:long "longitude") (schema:url "url") (schema:logo "logo")
                (dcterms:modified "modifie")
              }
              ?p ?property ?value .
            } UNION {
              ?p schema:startDate ?d .
              BIND(CONCAT(STR(?d), " ", STR(DATATYPE(?d))) AS ?value)
              BIND("demarrage" AS ?field)
            } UNION {
              ?p bia:partnership ?link . ?link bia:partner/foaf:name ?name .
              OPTIONAL { ?link bia:partnerRole/skos:prefLabel ?role . FILTER(LANG(?role) = "fr") }
              BIND(CONCAT(?name, " (", COALESCE(?role, ""), ")") AS ?value)
              BIND("partenaire" AS ?field)
            }
        }"#,
    );
    let mut out: BTreeMap<String, BTreeSet<(String, String)>> = BTreeMap::new();
    for row in rows {
        let [title, field, value] = <[String; 3]>::try_from(row).expect("three values");
        out.entry(title).or_default().insert((field, value));
    }
    out
}

/// The organisations that lead or are partners of a public use case, by
/// name, with their SIREN (for leaders; partners have none in the CSV).
fn organisations(store: &PublicStore) -> BTreeMap<String, BTreeSet<String>> {
    let rows = select(
        store,
        r#"SELECT ?name ?siren WHERE {
            ?p a bia:UseCase .
            { ?p bia:ledBy ?o . OPTIONAL { ?o bia:siren ?siren } }
            UNION { ?p bia:partnership/bia:partner ?o }
            ?o foaf:name ?name .
        }"#,
    );
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for row in rows {
        let entry = out.entry(row[0].clone()).or_default();
        if !row[1].is_empty() {
            entry.insert(row[1].clone());
        }
    }
    out
}

/// The SIRETs of every organisation, by name.
fn sirets(store: &PublicStore) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for row in select(
        store,
        "SELECT ?name ?siret WHERE { ?o a org:Organization ; foaf:name ?name ; bia:siret ?siret }",
    ) {
        out.entry(row[0].clone())
            .or_default()
            .insert(row[1].clone());
    }
    out
}

/// `/export/projets.csv` re-imported into a store that holds the model and
/// the territories but no demo gives back the demo's public use cases and
/// organisations: the same titles, and for each the same leading
/// organisation (name, SIREN, type), status, theme, sub-themes, audiences,
/// start date (value and precision), description, URL, logo, coordinates,
/// last update and partners (name and role).
///
/// What the CSV cannot carry, and so is not compared:
/// - the IRIs: the importer mints `/id/projet/{slug(organisation slug +
///   title)}` and `/id/organisation/{slug(name)}`, which the demo happens
///   to follow but need not (compared by title and name instead);
/// - everything outside the 16 columns: the solutions, resources and
///   algorithm records a use case links to, `dcterms:created`, the
///   organisations' territory, address, website, alternative names, and
///   the public fields no column holds (`status_abandon`'s reason: the
///   importer writes its placeholder for an abandoned project);
/// - an organisation that neither leads nor is partner of a public use
///   case (it has no row); a partner's type and SIREN (only the leader's
///   have a column);
/// - all but one SIRET of an organisation with several establishments:
///   each row carries its leader's smallest SIRET, so the re-imported
///   organisation has a subset of the demo's SIRETs (checked);
/// - provenance: the re-imported records say `dcterms:source
///   "projets.csv"` and carry the import's `prov:generatedAtTime`.
#[tokio::test]
async fn the_csv_reimported_gives_back_the_public_use_cases_and_organisations() {
    let app = TestApp::demo();
    let r = app.get("/export/projets.csv", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("content-type"), Some("text/csv; charset=utf-8"));
    assert_eq!(
        r.header("content-disposition"),
        Some("attachment; filename=\"projets.csv\"")
    );
    assert!(r.body.starts_with(b"\xef\xbb\xbf"), "UTF-8 BOM");
    let text = r.text();
    assert_eq!(
        text.trim_start_matches('\u{feff}').split("\r\n").next(),
        Some(HEADER)
    );
    // The network's formats: decimal commas in quoted coordinates,
    // `MM/AAAA` start dates, SIRETs in groups.
    assert!(text.contains(",\"45,7535\",\"4,8488\","), "{text}");
    assert!(text.contains(",09/2022,"), "MM/AAAA");
    assert!(
        regex::Regex::new(r",\d{3} \d{3} \d{3} \d{5},")
            .expect("regex")
            .is_match(&text)
    );

    let demo = common::demo().stores.public();
    let store = TestStore::with_territories();
    let report = import_bytes(&store.stores, "projets.csv", &r.body, &Options::default())
        .expect("the import runs");
    assert_eq!(report.layout, Layout::Public);
    assert!(report.rejected.is_empty(), "{:#?}", report.rejected);
    // The only thing the importer has to say: an abandoned project gets
    // its placeholder reason (the layout has no status_abandon column).
    let surprises: Vec<&str> = report
        .warnings
        .iter()
        .map(|w| w.message.as_str())
        .filter(|m| !m.starts_with("projet abandonné sans raison"))
        .collect();
    assert!(surprises.is_empty(), "{surprises:#?}");
    let expected = use_cases(&demo);
    assert_eq!(expected.len(), 46, "the demo's use cases");
    assert_eq!(report.imported, expected.len());
    let again = store.stores.public();
    let got = use_cases(&again);
    // The abandoned projects get the importer's placeholder reason: not a
    // value the CSV carries, and not compared above.
    for (title, fields) in &expected {
        assert_eq!(got.get(title), Some(fields), "« {title} »");
    }
    assert_eq!(got.len(), expected.len());
    assert_eq!(organisations(&again), organisations(&demo));
    let demo_sirets = sirets(&demo);
    for (name, found) in sirets(&again) {
        let known = demo_sirets.get(&name).cloned().unwrap_or_default();
        assert!(found.is_subset(&known), "{name}: {found:?} ⊄ {known:?}");
    }
    // Read back, the file gives the same file.
    let app2 = TestApp::serve(&store, bibia::config::QueryLimits::default(), 8);
    let r2 = app2.get("/export/projets.csv", None).await;
    assert_eq!(r2.text(), text, "the round trip is a fixed point");
}

#[tokio::test]
async fn the_csv_shows_no_restricted_value() {
    let r = TestApp::demo().get("/export/projets.csv", None).await;
    assert_eq!(r.status, StatusCode::OK);
    let text = r.text();
    for secret in secrets() {
        assert!(
            !text.contains(secret.as_str()),
            "the CSV shows a restricted value: {secret}"
        );
    }
}

#[tokio::test]
async fn the_csv_is_cached_with_validators_and_gzip() {
    let app = TestApp::demo();
    let r = app.get("/export/projets.csv", None).await;
    let etag = r.header("etag").expect("ETag").to_owned();
    let again =
        super::pages::get_with(&app, "/export/projets.csv", &[("if-none-match", &etag)]).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    let gz =
        super::pages::get_with(&app, "/export/projets.csv", &[("accept-encoding", "gzip")]).await;
    assert_eq!(gz.header("content-encoding"), Some("gzip"));
    assert_eq!(
        gz.header("content-disposition"),
        Some("attachment; filename=\"projets.csv\"")
    );
}

/// The `<loc>` and `<lastmod>` of every entry of a sitemap or index, after
/// checking that it parses as XML with the sitemaps.org namespace.
fn entries(xml: &str, root: &str) -> Vec<(String, String)> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = Vec::new();
    let mut path: Vec<String> = Vec::new();
    let (mut loc, mut lastmod) = (String::new(), String::new());
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                if path.is_empty() {
                    assert_eq!(name, root);
                    let ns = e
                        .try_get_attribute("xmlns")
                        .expect("attributes")
                        .expect("xmlns");
                    assert_eq!(
                        ns.unescape_value().expect("value"),
                        "http://www.sitemaps.org/schemas/sitemap/0.9"
                    );
                }
                path.push(name);
            }
            Event::Text(t) => {
                let value = t.unescape().expect("text").into_owned();
                match path.last().map(String::as_str) {
                    Some("loc") => loc = value,
                    Some("lastmod") => lastmod = value,
                    _ => {}
                }
            }
            Event::End(_) => {
                let name = path.pop().expect("balanced");
                if name == "url" || name == "sitemap" {
                    out.push((std::mem::take(&mut loc), std::mem::take(&mut lastmod)));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert!(path.is_empty(), "unclosed elements: {path:?}");
    out
}

fn is_w3c_datetime(value: &str) -> bool {
    let re = regex::Regex::new(
        r"^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2}))?)?)?$",
    )
    .expect("regex");
    re.is_match(value)
}

#[tokio::test]
async fn the_sitemap_lists_every_page_and_they_answer() {
    let _turn = crate::common::TIMING.lock().await;
    let app = TestApp::demo();
    let r = app.get("/sitemap.xml", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.header("content-type"),
        Some("application/xml; charset=utf-8")
    );
    let text = r.text();
    let urls = entries(&text, "urlset");
    let locs: BTreeSet<&str> = urls.iter().map(|(l, _)| l.as_str()).collect();
    assert_eq!(locs.len(), urls.len(), "no URL twice");
    for (loc, lastmod) in &urls {
        assert!(loc.starts_with(BASE), "{loc}");
        assert!(is_w3c_datetime(lastmod), "{loc}: {lastmod}");
    }
    for page in [
        "",
        "projets",
        "organisations",
        "solutions",
        "ressources",
        "sparql",
        "statistiques",
        "carte",
        "dumps/",
        "def",
        "vocab",
        "vocab/theme",
    ] {
        assert!(locs.contains(format!("{BASE}{page}").as_str()), "/{page}");
        let answered = app.get(&format!("/{page}"), Some("text/html")).await;
        assert_eq!(answered.status, StatusCode::OK, "/{page}");
    }
    let count = |prefix: &str| {
        locs.iter()
            .filter(|l| l.starts_with(&format!("{BASE}page/{prefix}")))
            .count()
    };
    assert_eq!(count("projet/"), 46);
    assert_eq!(count("organisation/"), 43);
    assert_eq!(count("solution/"), 16);
    assert_eq!(count("ressource/"), 30);
    assert_eq!(count("jeu/"), 1);
    assert!(count("territoire/") > 35_000, "{}", count("territoire/"));
    assert!(count("concept/") > 100, "{}", count("concept/"));
    assert!(
        locs.contains(format!("{BASE}page/concept/theme").as_str()),
        "a concept scheme"
    );
    assert!(
        locs.contains(format!("{BASE}page/concept/theme/mobilites").as_str()),
        "a concept"
    );
    // A record's lastmod is its dcterms:modified.
    assert!(urls.contains(&(
        format!("{BASE}page/projet/metropole-de-lyon-chatbot-dechets"),
        "2026-09-14".to_owned()
    )));
    // Every page of a use case, and a sample of the others, answers.
    let sample: Vec<&str> = locs
        .iter()
        .copied()
        .filter(|l| l.starts_with(&format!("{BASE}page/projet/")))
        .chain(locs.iter().copied().step_by(locs.len() / 200))
        .collect();
    assert!(sample.len() > 240, "{}", sample.len());
    for loc in sample {
        let path = &loc[BASE.len() - 1..];
        let page = app.get(path, Some("text/html")).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
    }
    for secret in secrets() {
        assert!(
            !text.contains(secret.as_str()),
            "restricted value: {secret}"
        );
    }
}

#[tokio::test]
async fn past_its_limit_the_sitemap_is_an_index_of_files() {
    let mut state = TestApp::state(common::demo(), bibia::config::QueryLimits::default());
    state.sitemap_limit = 10_000;
    let app = TestApp::serve_state(state, 8);
    let whole = entries(
        &TestApp::demo().get("/sitemap.xml", None).await.text(),
        "urlset",
    );
    let index = app.get("/sitemap.xml", None).await;
    assert_eq!(index.status, StatusCode::OK);
    let files = entries(&index.text(), "sitemapindex");
    assert_eq!(files.len(), whole.len().div_ceil(10_000));
    let mut listed = Vec::new();
    for (n, (loc, lastmod)) in files.iter().enumerate() {
        assert_eq!(loc, &format!("{BASE}sitemap-{}.xml", n + 1));
        assert!(is_w3c_datetime(lastmod), "{lastmod}");
        let file = app.get(&format!("/sitemap-{}.xml", n + 1), None).await;
        assert_eq!(file.status, StatusCode::OK, "{loc}");
        let urls = entries(&file.text(), "urlset");
        assert!(urls.len() <= 10_000);
        assert_eq!(
            lastmod,
            &urls.iter().map(|(_, m)| m.clone()).max().expect("urls"),
            "a file's lastmod is its latest page's"
        );
        listed.extend(urls);
    }
    assert_eq!(listed, whole, "the files list the same pages, in order");
    let past = app
        .get(&format!("/sitemap-{}.xml", files.len() + 1), None)
        .await;
    assert_eq!(past.status, StatusCode::NOT_FOUND);
    // Without an index, there are no files.
    let none = TestApp::demo().get("/sitemap-1.xml", None).await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn robots_txt_allows_everything_and_names_the_sitemap() {
    let r = TestApp::demo().get("/robots.txt", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("content-type"), Some("text/plain; charset=utf-8"));
    let text = r.text();
    assert!(text.contains("User-agent: *\nAllow: /\n"), "{text}");
    assert!(
        text.lines()
            .any(|l| l == format!("Sitemap: {BASE}sitemap.xml")),
        "{text}"
    );
}

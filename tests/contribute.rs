//! Contributions through the running service: the write API with its
//! tokens, preconditions and validation; who may write what; moderation
//! (a pending change is seen nowhere public until accepted); error reports;
//! the history of a record and its Memento answers; credentials in no
//! export. One store with the demo, written by every test here (each on
//! its own records), served by the real router.

use crate::common::{TestApp, TestResponse, TestStore, base, enc};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use bibia::accounts::{Accounts, NewUser, Role};
use std::sync::OnceLock;

const NANTES: &str = "http://localhost:8080/id/organisation/ville-de-nantes";
const GRENOBLE: &str = "http://localhost:8080/id/organisation/ville-de-grenoble";
const DIJON: &str = "http://localhost:8080/id/organisation/ville-de-dijon";
const PASSWORD: &str = "un mot de passe assez long";

/// The served store and the tokens of four accounts: a contributor of
/// Nantes, one of Grenoble, one of Dijon (a trusted organisation) and a
/// moderator.
pub(crate) struct World {
    pub(crate) store: TestStore,
    pub(crate) app: TestApp,
    pub(crate) nantes: String,
    pub(crate) grenoble: String,
    pub(crate) dijon: String,
    pub(crate) moderator: String,
}

pub(crate) fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let store = TestStore::with_demo();
        let data = store.dir.path();
        let accounts = Accounts::open(data).expect("accounts");
        let token = |login: &str, role: Role, organisation: Option<&str>| {
            accounts
                .add_user(NewUser {
                    login: login.into(),
                    name: format!("Agent {login}"),
                    role,
                    organisation: organisation.map(str::to_owned),
                    password: PASSWORD.into(),
                })
                .expect("user added");
            accounts.create_token(login, "tests").expect("token").1
        };
        let nantes = token("agent@nantes.example", Role::Contributor, Some(NANTES));
        let grenoble = token("agent@grenoble.example", Role::Contributor, Some(GRENOBLE));
        let dijon = token("agent@dijon.example", Role::Contributor, Some(DIJON));
        let moderator = token("moderation@reseau.example", Role::Moderator, None);
        accounts.trust(DIJON, true).expect("trusted");
        let state = TestApp::state(&store, bibia::config::QueryLimits::default());
        let contrib = bibia::http::Contrib::new(store.stores.clone(), data, 64 * 1024)
            .expect("contributions");
        let app = TestApp::serve_state(state.with_contributions(contrib), 64);
        World {
            store,
            app,
            nantes,
            grenoble,
            dijon,
            moderator,
        }
    })
}

/// A request with a bearer token (or none).
pub(crate) async fn call(
    method: &str,
    uri: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
    body: impl Into<Body>,
) -> TestResponse {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    world()
        .app
        .send(req.body(body.into()).expect("request"))
        .await
}

/// The record as its writer reads it: Turtle and ETag.
pub(crate) async fn read(path: &str, token: &str) -> (String, String) {
    let r = call(
        "GET",
        path,
        Some(token),
        &[("accept", "text/turtle")],
        Body::empty(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    (r.text(), r.header("etag").unwrap_or_default().to_owned())
}

/// `PUT` of Turtle with `If-Match`.
pub(crate) async fn put(path: &str, token: &str, etag: &str, turtle: &str) -> TestResponse {
    call(
        "PUT",
        path,
        Some(token),
        &[("content-type", "text/turtle"), ("if-match", etag)],
        turtle.to_owned(),
    )
    .await
}

/// A new use case led by `organisation`, titled `title`, as Turtle on `<>`.
pub(crate) fn new_project(title: &str, organisation: &str) -> String {
    format!(
        r#"@prefix bia: <https://w3id.org/bibia/def#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix adms: <http://www.w3.org/ns/adms#> .
@prefix schema: <http://schema.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<> a bia:UseCase ;
  dcterms:title "{title}"@fr ;
  dcterms:description "Projet d'essai des contributions : {title}."@fr ;
  bia:ledBy <{organisation}> ;
  schema:startDate "2026-01-15"^^xsd:date ;
  adms:status <http://localhost:8080/id/concept/statut/en-deploiement> ;
  dcat:theme <http://localhost:8080/id/concept/theme/transition-ecologique-et-energetique> ;
  bia:audience <http://localhost:8080/id/concept/audience/grand-public> ;
  bia:budgetBand <http://localhost:8080/id/concept/budget/de-50k-a-100k> .
"#
    )
}

async fn post(collection: &str, token: Option<&str>, turtle: &str) -> TestResponse {
    call(
        "POST",
        collection,
        token,
        &[("content-type", "text/turtle")],
        turtle.to_owned(),
    )
    .await
}

/// Replaces the title in a record's Turtle.
fn retitle(turtle: &str, old: &str, new: &str) -> String {
    assert!(turtle.contains(old), "{old} not in {turtle}");
    turtle.replace(old, new)
}

/// A logged-in browser: its cookies and the CSRF token of its session.
pub(crate) struct Browser {
    cookies: Vec<(String, String)>,
}

impl Browser {
    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep(&mut self, r: &TestResponse) {
        for v in r.headers.get_all("set-cookie") {
            let v = v.to_str().unwrap_or_default();
            let pair = v.split(';').next().unwrap_or_default();
            if let Some((k, val)) = pair.split_once('=') {
                self.cookies.retain(|(name, _)| name != k);
                if !val.is_empty() {
                    self.cookies.push((k.to_owned(), val.to_owned()));
                }
            }
        }
    }

    pub(crate) async fn get(&mut self, uri: &str) -> TestResponse {
        let req = Request::get(uri)
            .header("cookie", self.cookie_header())
            .body(Body::empty())
            .expect("request");
        let r = world().app.send(req).await;
        self.keep(&r);
        r
    }

    pub(crate) async fn post(&mut self, uri: &str, form: &[(&str, &str)]) -> TestResponse {
        let body = form
            .iter()
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect::<Vec<_>>()
            .join("&");
        let req = Request::post(uri)
            .header("cookie", self.cookie_header())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .expect("request");
        let r = world().app.send(req).await;
        self.keep(&r);
        r
    }

    /// Logs in with the log-in form.
    pub(crate) async fn login(login: &str) -> Self {
        let mut b = Browser {
            cookies: Vec::new(),
        };
        let page = b.get("/connexion").await;
        let csrf = csrf_of(&page.text());
        let r = b
            .post(
                "/connexion",
                &[("csrf", &csrf), ("login", login), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let cookie = r
            .headers
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap_or_default().to_owned())
            .find(|v| v.starts_with("bibia_session="))
            .expect("session cookie");
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
            "{cookie}"
        );
        assert!(cookie.contains("Max-Age="), "{cookie}");
        b
    }
}

/// The CSRF token in a page's first form.
pub(crate) fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("csrf field") + 19;
    html[at..].split('"').next().unwrap_or_default().to_owned()
}

/// The path of a record IRI (`/id/projet/x`).
fn path_of(iri: &str) -> String {
    iri.strip_prefix("http://localhost:8080")
        .unwrap_or(iri)
        .to_owned()
}

async fn sparql_ask(query: &str) -> bool {
    let r = world()
        .app
        .get(
            &format!("/sparql?query={}", enc(query)),
            Some("application/sparql-results+json"),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.text().contains("true")
}

#[tokio::test(flavor = "multi_thread")]
async fn writing_needs_a_valid_token() {
    let w = world();
    let body = new_project("Projet sans jeton", NANTES);
    let r = post("/id/projet/", None, &body).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.header("www-authenticate"), Some("Bearer realm=\"bibia\""));
    assert!(r.text().contains("jeton"), "{}", r.text());
    let r = post("/id/projet/", Some("bibia_00000000_faux"), &body).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // A revoked token stops at once.
    let accounts = Accounts::open(w.store.dir.path()).expect("accounts");
    let (id, token) = accounts
        .create_token("agent@nantes.example", "révoqué")
        .expect("token");
    accounts.revoke_token(id.as_str()).expect("revoked");
    let r = post("/id/projet/", Some(&token), &body).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread")]
async fn replacing_needs_the_current_etag() {
    let w = world();
    let path =
        "/id/projet/ville-de-nantes-detection-des-degradations-de-chaussee-par-cameras-embarquees";
    let (turtle, etag) = read(path, &w.nantes).await;
    assert!(etag.starts_with('"'), "{etag}");
    let r = call(
        "PUT",
        path,
        Some(&w.nantes),
        &[("content-type", "text/turtle")],
        turtle.clone(),
    )
    .await;
    assert_eq!(r.status, StatusCode::PRECONDITION_REQUIRED, "{}", r.text());
    assert!(r.text().contains("If-Match"));
    let r = put(path, &w.nantes, "\"f-perime\"", &turtle).await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED, "{}", r.text());
    assert_eq!(
        r.header("etag"),
        Some(etag.as_str()),
        "the current tag is given"
    );
    let r = call("DELETE", path, Some(&w.nantes), &[], Body::empty()).await;
    assert_eq!(r.status, StatusCode::PRECONDITION_REQUIRED);
    // Nothing changed.
    assert_eq!(read(path, &w.nantes).await.1, etag);
}

#[tokio::test(flavor = "multi_thread")]
async fn who_may_write_what() {
    let w = world();
    let nantes =
        "/id/projet/ville-de-nantes-prevision-de-l-affluence-dans-les-piscines-municipales";
    let grenoble = "/id/projet/ville-de-grenoble-cartographie-de-la-canopee-urbaine";
    let (n_turtle, n_tag) = read(nantes, &w.nantes).await;
    let (g_turtle, g_tag) = read(grenoble, &w.moderator).await;
    // Anonymous: 401 on every write route.
    for (method, path) in [("PUT", nantes), ("DELETE", nantes), ("POST", "/id/projet/")] {
        let r = call(
            method,
            path,
            None,
            &[("content-type", "text/turtle"), ("if-match", &n_tag)],
            n_turtle.clone(),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{method} {path}");
    }
    // A contributor of Nantes on a record of Grenoble: 403, for both.
    let r = put(grenoble, &w.nantes, &g_tag, &g_turtle).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    assert!(r.text().contains("organisation"), "{}", r.text());
    let r = call(
        "DELETE",
        grenoble,
        Some(&w.nantes),
        &[("if-match", &g_tag)],
        Body::empty(),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // … nor create one for Grenoble, nor give their own to Grenoble.
    let r = post(
        "/id/projet/",
        Some(&w.nantes),
        &new_project("Projet pour Grenoble", GRENOBLE),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    let r = put(
        nantes,
        &w.nantes,
        &n_tag,
        &n_turtle.replace(NANTES, GRENOBLE),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    // On their own record: taken, waiting for a moderator (202).
    let changed = retitle(
        &n_turtle,
        "Prévision de l'affluence",
        "Prévision de la fréquentation",
    );
    let r = put(nantes, &w.nantes, &n_tag, &changed).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());
    assert!(
        r.header("location")
            .is_some_and(|l| l.contains("/espace/modifications/"))
    );
    // A moderator on Grenoble's: published at once.
    let changed = retitle(
        &g_turtle,
        "Cartographie de la canopée",
        "Cartographie de la canopée et des arbres",
    );
    let r = put(grenoble, &w.moderator, &g_tag, &changed).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_ne!(r.header("etag"), Some(g_tag.as_str()));
    let page = w
        .app
        .get(
            "/page/projet/ville-de-grenoble-cartographie-de-la-canopee-urbaine",
            None,
        )
        .await;
    assert!(page.text().contains("canopée et des arbres"));
    // A trusted organisation publishes at once too.
    let r = post(
        "/id/projet/",
        Some(&w.dijon),
        &new_project("Capteurs de fréquentation des bibliothèques", DIJON),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let location = r.header("location").expect("location").to_owned();
    assert_eq!(
        location,
        "http://localhost:8080/id/projet/capteurs-de-frequentation-des-bibliotheques"
    );
    let page = w
        .app
        .get(&path_of(&location).replace("/id/", "/page/"), None)
        .await;
    assert_eq!(page.status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread")]
async fn restricted_fields_are_seen_by_their_organisation_only() {
    let w = world();
    let path =
        "/id/projet/ville-de-nantes-detection-des-degradations-de-chaussee-par-cameras-embarquees";
    let (own, tag) = read(path, &w.nantes).await;
    assert!(own.contains("budgetBand"), "{own}");
    assert!(!tag.is_empty());
    let r = call(
        "GET",
        path,
        Some(&w.grenoble),
        &[("accept", "text/turtle")],
        Body::empty(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.text().contains("budgetBand"), "{}", r.text());
    assert!(r.header("etag").is_none(), "no tag for who cannot write");
    assert_eq!(r.header("cache-control"), Some("private, no-store"));
    let public = w
        .app
        .get(
            &path
                .replace("/id/", "/data/")
                .to_owned()
                .replace("cameras-embarquees", "cameras-embarquees.ttl"),
            None,
        )
        .await;
    assert_eq!(public.status, StatusCode::OK);
    assert!(!public.text().contains("budgetBand"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_record_breaking_the_shapes_is_refused_with_the_report() {
    let w = world();
    let path = "/id/projet/ville-de-dijon-gestion-intelligente-du-chauffage-des-ecoles";
    let (turtle, tag) = read(path, &w.moderator).await;
    // Without its theme (required).
    let broken: String = turtle
        .lines()
        .filter(|l| !l.contains("dcat:theme"))
        .collect::<Vec<_>>()
        .join("\n");
    assert_ne!(broken, turtle);
    let r = put(path, &w.moderator, &tag, &broken).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert!(
        r.header("content-type")
            .is_some_and(|c| c.starts_with("application/json"))
    );
    let json: serde_json::Value = serde_json::from_slice(&r.body).expect("json");
    assert_eq!(json["rapport"]["conforms"], false);
    assert!(
        json["texte"]
            .as_str()
            .is_some_and(|t| t.contains("dcat:theme")),
        "{json}"
    );
    let r = call(
        "PUT",
        path,
        Some(&w.moderator),
        &[
            ("content-type", "text/turtle"),
            ("if-match", &tag),
            ("accept", "text/plain"),
        ],
        broken.clone(),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text().starts_with("La fiche n'est pas conforme"),
        "{}",
        r.text()
    );
    let r = call(
        "PUT",
        path,
        Some(&w.moderator),
        &[
            ("content-type", "text/turtle"),
            ("if-match", &tag),
            ("accept", "text/turtle"),
        ],
        broken,
    )
    .await;
    assert!(r.text().contains("sh:ValidationReport"), "{}", r.text());
    // Bad syntax: 400 with the place; an unknown type: 415.
    let r = put(path, &w.moderator, &tag, "<> a <oups").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.text().contains("illisible"), "{}", r.text());
    let r = call(
        "PUT",
        path,
        Some(&w.moderator),
        &[("content-type", "text/csv"), ("if-match", &tag)],
        "a,b",
    )
    .await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // A body that describes another record: refused.
    let other = format!(
        "{turtle}\n<http://localhost:8080/id/projet/autre> a <https://w3id.org/bibia/def#UseCase> .\n"
    );
    let r = put(path, &w.moderator, &tag, &other).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    // Too large: 413.
    let huge = format!("{turtle}\n# {}\n", "x".repeat(70 * 1024));
    let r = put(path, &w.moderator, &tag, &huge).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    // The record did not change.
    assert_eq!(read(path, &w.moderator).await.1, tag);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pending_change_is_public_nowhere_until_accepted() {
    let w = world();
    let title = "Détection des zorglubs dans les fontaines";
    let r = post("/id/projet/", Some(&w.nantes), &new_project(title, NANTES)).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());
    let change = r
        .header("location")
        .and_then(|l| l.rsplit('/').next())
        .expect("change id")
        .to_owned();
    let page = "/page/projet/detection-des-zorglubs-dans-les-fontaines";
    let ask =
        "ASK { ?p <http://purl.org/dc/terms/title> ?t FILTER(CONTAINS(STR(?t), \"zorglubs\")) }";
    let nowhere = || async {
        assert_eq!(w.app.get(page, None).await.status, StatusCode::NOT_FOUND);
        assert!(!sparql_ask(ask).await);
        let search = w.app.get("/recherche?q=zorglubs&format=json", None).await;
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(&search.body).expect("json")["total"],
            0
        );
        assert!(
            !w.app
                .get("/projets?q=zorglubs", None)
                .await
                .text()
                .contains("zorglubs dans")
        );
        assert!(
            !w.app
                .get("/export/projets.csv", None)
                .await
                .text()
                .contains("zorglubs")
        );
        assert!(
            !w.app
                .get("/catalog", None)
                .await
                .text()
                .contains("zorglubs")
        );
        assert!(!crate::dumps::dumped_text(&w.app).await.contains("zorglubs"));
    };
    nowhere().await;
    // Its author sees it waiting in their space.
    let mut author = Browser::login("agent@nantes.example").await;
    let space = author.get("/espace").await;
    assert!(
        space.text().contains(title) && space.text().contains("en attente"),
        "{}",
        space.text()
    );
    // A contributor cannot moderate.
    let r = author
        .post(
            &format!("/moderation/{change}/accepter"),
            &[("csrf", &csrf_of(&space.text()))],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    nowhere().await;
    // The moderator sees it in the queue, with its diff, and accepts it.
    let mut moderator = Browser::login("moderation@reseau.example").await;
    let queue = moderator.get("/moderation").await;
    assert!(queue.text().contains(title), "{}", queue.text());
    let detail = moderator
        .get(&format!("/espace/modifications/{change}"))
        .await;
    assert!(
        detail.text().contains("<ins>Détection des zorglubs"),
        "{}",
        detail.text()
    );
    // Without the session's token: refused.
    let r = moderator
        .post(
            &format!("/moderation/{change}/accepter"),
            &[("csrf", "faux")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = moderator
        .post(
            &format!("/moderation/{change}/accepter"),
            &[("csrf", &csrf_of(&detail.text()))],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    // Now everywhere.
    assert_eq!(w.app.get(page, None).await.status, StatusCode::OK);
    assert!(sparql_ask(ask).await);
    let search = w.app.get("/recherche?q=zorglubs&format=json", None).await;
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&search.body).expect("json")["total"],
        1
    );
    assert!(
        w.app
            .get("/projets?q=zorglubs", None)
            .await
            .text()
            .contains("zorglubs dans")
    );
    assert!(
        w.app
            .get("/export/projets.csv", None)
            .await
            .text()
            .contains("zorglubs")
    );
    assert!(crate::dumps::dumped_text(&w.app).await.contains("zorglubs"));
    // The restricted field it carried is still not public.
    assert!(
        !w.app
            .get(&format!("{}.ttl", page.replace("/page/", "/data/")), None)
            .await
            .text()
            .contains("budgetBand")
    );
    let space = author.get("/espace").await;
    assert!(
        space.text().contains("acceptée et publiée"),
        "{}",
        space.text()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refusal_says_why_to_the_contributor() {
    let w = world();
    let title = "Tri automatique des courriers de réclamation";
    let r = post("/id/projet/", Some(&w.nantes), &new_project(title, NANTES)).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());
    let change = r
        .header("location")
        .and_then(|l| l.rsplit('/').next())
        .expect("id")
        .to_owned();
    let mut moderator = Browser::login("moderation@reseau.example").await;
    let detail = moderator
        .get(&format!("/espace/modifications/{change}"))
        .await;
    let csrf = csrf_of(&detail.text());
    let r = moderator
        .post(
            &format!("/moderation/{change}/refuser"),
            &[("csrf", &csrf), ("reason", "Doublon d'une fiche existante")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let mut author = Browser::login("agent@nantes.example").await;
    let space = author.get("/espace").await;
    assert!(
        space
            .text()
            .contains("refusée : Doublon d&#x27;une fiche existante")
            || space
                .text()
                .contains("refusée : Doublon d&#39;une fiche existante"),
        "{}",
        space.text()
    );
    assert_eq!(
        w.app
            .get(
                "/page/projet/tri-automatique-des-courriers-de-reclamation",
                None
            )
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn history_and_memento_keep_every_public_version() {
    let w = world();
    let rest = "projet/ville-de-dijon-prevision-des-repas-dans-les-cantines-scolaires";
    let path = format!("/id/{rest}");
    let (turtle, tag) = read(&path, &w.moderator).await;
    let changed = retitle(
        &turtle,
        "Prévision des repas",
        "Prévision du nombre de repas",
    );
    let r = put(&path, &w.moderator, &tag, &changed).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    // A change of a restricted field only is not in the public history.
    let tag = r.header("etag").expect("etag").to_owned();
    let (turtle, _) = read(&path, &w.moderator).await;
    let bands = [
        "budget/moins-de-50k",
        "budget/de-50k-a-100k",
        "budget/plus-de-100k",
    ];
    let band = bands
        .iter()
        .find(|b| turtle.contains(*b))
        .expect("a budget band");
    let other = bands.iter().find(|b| *b != band).expect("another band");
    let r = put(&path, &w.moderator, &tag, &turtle.replace(band, other)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let history = w.app.get(&format!("/historique/{rest}"), None).await;
    assert_eq!(history.status, StatusCode::OK);
    let text = history.text();
    assert!(
        text.contains("<del>Prévision des repas")
            && text.contains("<ins>Prévision du nombre de repas"),
        "{text}"
    );
    assert!(
        !text.contains("budget"),
        "restricted fields stay out: {text}"
    );
    // The page links to its TimeGate and TimeMap.
    let page = w.app.get(&format!("/page/{rest}"), None).await;
    let link = page.header("link").unwrap_or_default().to_owned();
    assert!(
        link.contains(&format!("</timegate/{rest}>; rel=\"timegate\"")),
        "{link}"
    );
    // The TimeMap: the imported version, then the change.
    let map = w.app.get(&format!("/timemap/{rest}"), None).await;
    assert_eq!(
        map.header("content-type"),
        Some("application/link-format; charset=utf-8")
    );
    let map = map.text();
    assert!(
        map.contains(&format!(
            "<http://localhost:8080/id/{rest}>; rel=\"original\""
        )),
        "{map}"
    );
    let mementos: Vec<&str> = map.lines().filter(|l| l.contains("memento\"")).collect();
    assert_eq!(mementos.len(), 2, "{map}");
    assert!(mementos[0].contains("rel=\"first memento\""));
    // The TimeGate: an old date gives the imported version.
    let r = call(
        "GET",
        &format!("/timegate/{rest}"),
        None,
        &[("accept-datetime", "Thu, 01 Jan 2026 00:00:00 GMT")],
        Body::empty(),
    )
    .await;
    assert_eq!(r.status, StatusCode::FOUND);
    assert_eq!(r.header("vary"), Some("accept-datetime"));
    let first = r.header("location").expect("location").to_owned();
    assert!(first.contains("/memento/0/"), "{first}");
    let old = w.app.get(&path_of(&first), None).await;
    assert_eq!(old.status, StatusCode::OK);
    assert!(old.header("memento-datetime").is_some());
    assert!(
        old.header("link")
            .is_some_and(|l| l.contains("rel=\"original\""))
    );
    assert!(old.text().contains("Prévision des repas"), "{}", old.text());
    // Without a date: the latest.
    let r = call(
        "GET",
        &format!("/timegate/{rest}"),
        None,
        &[],
        Body::empty(),
    )
    .await;
    let last = w
        .app
        .get(&path_of(r.header("location").expect("location")), None)
        .await;
    assert!(last.text().contains("Prévision du nombre de repas"));
    // A moderator restores the version of the change… after another one.
    let (turtle, tag) = read(&path, &w.moderator).await;
    let r = put(
        &path,
        &w.moderator,
        &tag,
        &retitle(&turtle, "Prévision du nombre de repas", "Prévision erronée"),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let revision = mementos[1]
        .split("/memento/")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .expect("revision id")
        .to_owned();
    let mut moderator = Browser::login("moderation@reseau.example").await;
    let history = moderator.get(&format!("/historique/{rest}")).await;
    assert!(history.text().contains("Restaurer cette version"));
    // A contributor's session cannot restore.
    let mut contributor = Browser::login("agent@dijon.example").await;
    let space = contributor.get("/espace").await;
    let r = contributor
        .post(
            &format!("/moderation/restaurer/{revision}"),
            &[("csrf", &csrf_of(&space.text()))],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = moderator
        .post(
            &format!("/moderation/restaurer/{revision}"),
            &[("csrf", &csrf_of(&history.text()))],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let page = w.app.get(&format!("/page/{rest}"), None).await.text();
    assert!(page.contains("Prévision du nombre de repas") && !page.contains("Prévision erronée"));
    let history = w.app.get(&format!("/historique/{rest}"), None).await.text();
    assert!(history.contains("restauration"), "{history}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_withdrawn_record_answers_gone() {
    let w = world();
    let r = post(
        "/id/projet/",
        Some(&w.moderator),
        &new_project("Projet à retirer", NANTES),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let path = path_of(r.header("location").expect("location"));
    let tag = r.header("etag").expect("etag").to_owned();
    let r = call(
        "DELETE",
        &path,
        Some(&w.moderator),
        &[("if-match", &tag)],
        Body::empty(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let gone = w.app.get(&path, Some("text/html")).await;
    assert_eq!(gone.status, StatusCode::GONE);
}

#[tokio::test(flavor = "multi_thread")]
async fn anyone_can_report_an_error_to_the_moderators() {
    let w = world();
    let form = w
        .app
        .get(
            "/signaler?page=http%3A%2F%2Flocalhost%3A8080%2Fid%2Fprojet%2Fx",
            None,
        )
        .await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.text()
            .contains("value=\"http://localhost:8080/id/projet/x\"")
    );
    let mut anonymous = Browser {
        cookies: Vec::new(),
    };
    let csrf = csrf_of(&anonymous.get("/signaler").await.text());
    // Without the form's token (another site's form): refused.
    let r = anonymous
        .post(
            "/signaler",
            &[("csrf", "faux"), ("message", "Venu d'ailleurs.")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = anonymous
        .post(
            "/signaler",
            &[
                ("csrf", &csrf),
                ("page", "http://localhost:8080/id/projet/x"),
                (
                    "message",
                    "Le budget annoncé est faux, voir la délibération du 3 mars.",
                ),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("Merci"));
    // A robot filling the hidden field is thanked and forgotten.
    let r = anonymous
        .post(
            "/signaler",
            &[
                ("csrf", &csrf),
                ("page", ""),
                ("message", "spam spam"),
                ("site_web", "http://spam.example"),
            ],
        )
        .await;
    assert!(r.text().contains("Merci"));
    let mut moderator = Browser::login("moderation@reseau.example").await;
    let queue = moderator.get("/moderation").await.text();
    assert!(queue.contains("délibération du 3 mars"), "{queue}");
    assert!(!queue.contains("spam spam"));
    // Past five reports an hour from one address: 429.
    let mut last = StatusCode::OK;
    for i in 0..6 {
        last = anonymous
            .post(
                "/signaler",
                &[("csrf", &csrf), ("message", &format!("signalement {i}"))],
            )
            .await
            .status;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    // Reports are not public.
    assert!(!sparql_ask("ASK { ?s ?p ?o FILTER(CONTAINS(STR(?o), \"3 mars\")) }").await);
}

#[tokio::test(flavor = "multi_thread")]
async fn log_in_is_throttled_and_checks_its_token() {
    let w = world();
    let _ = w;
    let mut b = Browser {
        cookies: Vec::new(),
    };
    // No token from the log-in page: 403.
    let r = b
        .post(
            "/connexion",
            &[("login", "agent@grenoble.example"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let mut last = StatusCode::OK;
    for _ in 0..6 {
        let page = b.get("/connexion").await;
        let csrf = csrf_of(&page.text());
        last = b
            .post(
                "/connexion",
                &[
                    ("csrf", &csrf),
                    ("login", "agent@grenoble.example"),
                    ("password", "mauvais mot de passe"),
                ],
            )
            .await
            .status;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test(flavor = "multi_thread")]
async fn credentials_are_in_no_export() {
    let w = world();
    let accounts = std::fs::read_to_string(w.store.dir.path().join("comptes").join("comptes.json"))
        .expect("accounts file");
    let hash = accounts
        .split("$argon2")
        .nth(1)
        .expect("an argon2 hash")
        .chars()
        .take(40)
        .collect::<String>();
    let mut full = Vec::new();
    w.store
        .stores
        .export(oxigraph::io::RdfFormat::NQuads, true, &mut full)
        .expect("full export");
    let full = String::from_utf8(full).expect("utf-8");
    for secret in [
        hash.as_str(),
        w.nantes.as_str(),
        w.moderator.as_str(),
        "argon2",
        "agent@nantes.example\"",
    ] {
        assert!(!full.contains(secret), "{secret} in the full export");
        assert!(!crate::dumps::dumped_text(&w.app).await.contains(secret));
    }
    let _ = base();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_form_shows_the_errors_beside_their_fields_then_creates() {
    let w = world();
    let mut agent = Browser::login("agent@nantes.example").await;
    let page = agent.get("/espace/nouveau/projet").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.header("cache-control"), Some("no-store"));
    let html = page.text();
    // Generated from the shapes: the title, the theme as a select, the
    // budget band marked as not published, the organisation filled.
    assert!(html.contains("name=\"title\""), "{html}");
    assert!(html.contains("<select") && html.contains("name=\"theme\""));
    assert!(html.contains("non publié"));
    assert!(
        html.contains(&format!("value=\"{NANTES}\" selected")),
        "the organisation is filled"
    );
    let csrf = csrf_of(&html);
    let theme = "http://localhost:8080/id/concept/theme/transition-ecologique-et-energetique";
    let mut fields = vec![
        ("csrf", csrf.as_str()),
        ("title", "Arrosage des parcs selon la météo"),
        (
            "description",
            "Les arrosages se règlent sur les prévisions de pluie.",
        ),
        ("ledBy", NANTES),
        ("startDate", "2025-04-01"),
        (
            "status",
            "http://localhost:8080/id/concept/statut/en-deploiement",
        ),
        (
            "audience",
            "http://localhost:8080/id/concept/audience/grand-public",
        ),
    ];
    // Without its theme: the French message beside the field.
    let r = agent.post("/espace/nouveau/projet", &fields).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let html = r.text();
    assert!(html.contains("role=\"alert\""), "an error summary");
    let at = html.find("name=\"theme\"").expect("the theme field");
    let around = &html[at.saturating_sub(1500)..(at + 1500).min(html.len())];
    assert!(around.contains("aria-invalid=\"true\""), "{around}");
    assert!(
        html.contains("Arrosage des parcs selon la météo"),
        "what was typed stays"
    );
    // Fixed: written, waiting for a moderator.
    fields.push(("theme", theme));
    let r = agent.post("/espace/nouveau/projet", &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(r.header("location"), Some("/espace?fait=attente"));
    let space = agent.get("/espace?fait=attente").await.text();
    assert!(space.contains("Arrosage des parcs selon la météo") && space.contains("en attente"));
    // A contributor cannot file a record for another organisation.
    let page = agent.get("/espace/nouveau/projet").await;
    let csrf = csrf_of(&page.text());
    let mut other = fields.clone();
    other[0] = ("csrf", csrf.as_str());
    other[1] = ("title", "Projet glissé chez Grenoble");
    other[3] = ("ledBy", GRENOBLE);
    let r = agent.post("/espace/nouveau/projet", &other).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.text().contains("aria-invalid=\"true\""));
    // The edit form of one of their records is filled and saves.
    let path = "ville-de-nantes-detection-des-degradations-de-chaussee-par-cameras-embarquees";
    let edit = agent.get(&format!("/espace/modifier/projet/{path}")).await;
    assert_eq!(edit.status, StatusCode::OK, "{}", edit.text());
    assert!(edit.text().contains("Détection des dégradations"), "filled");
    let grenoble = agent
        .get("/espace/modifier/projet/ville-de-grenoble-cartographie-de-la-canopee-urbaine")
        .await;
    assert_eq!(grenoble.status, StatusCode::FORBIDDEN);
    let _ = w;
}

/// The lists and the search are served from the indexes of an earlier
/// version while those of a write are built (`http/derived.rs`): a
/// published write must still be on its page at once, and in the lists
/// and the search as soon as its answer has come back.
#[tokio::test(flavor = "multi_thread")]
async fn a_published_write_is_listed_and_found_once_answered() {
    let w = world();
    let title = "Recensement des ornithorynques";
    let r = post(
        "/id/projet/",
        Some(&w.moderator),
        &new_project(title, NANTES),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let path = path_of(r.header("location").expect("location"));
    let page = path.replace("/id/", "/page/");
    let found = |word: &'static str| async move {
        let r = w
            .app
            .get(&format!("/recherche?q={word}&format=json"), None)
            .await;
        let answer: serde_json::Value = serde_json::from_slice(&r.body).expect("json");
        answer["resultats"]
            .as_array()
            .expect("results")
            .iter()
            .filter_map(|r| r["titre"].as_str().map(str::to_owned))
            .collect::<Vec<_>>()
    };
    let listed = |word: &'static str| async move {
        w.app.get(&format!("/projets?q={word}"), None).await.text()
    };
    assert!(w.app.get(&page, None).await.text().contains(title));
    assert!(listed("ornithorynques").await.contains(title));
    assert_eq!(found("ornithorynques").await, [title]);

    // Replaced.
    let (turtle, etag) = read(&path, &w.moderator).await;
    let new = "Recensement des ornithorynques et des pangolins";
    let r = put(&path, &w.moderator, &etag, &retitle(&turtle, title, new)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(w.app.get(&page, None).await.text().contains(new));
    assert!(listed("pangolins").await.contains(new));
    assert_eq!(found("pangolins").await, [new]);

    // Withdrawn.
    let etag = read(&path, &w.moderator).await.1;
    let r = call(
        "DELETE",
        &path,
        Some(&w.moderator),
        &[("if-match", &etag)],
        Body::empty(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(w.app.get(&page, None).await.status, StatusCode::GONE);
    assert!(!listed("pangolins").await.contains(new));
    assert!(found("pangolins").await.is_empty());
}

//! The home page and the lists: counts, combinable facets (a value's
//! count is what the list shows once it is chosen), pagination, sorting, the CSV and RDF downloads of a
//! selection, and a burst of clients that gets only 200 or 304.

use super::{app, get_with, page_text};
use axum::http::StatusCode;
use oxigraph::io::RdfFormat;

/// "N résultats" of a list page.
fn results(text: &str) -> usize {
    let before = text.split(" résultat").next().expect("a count of results");
    before
        .split_whitespace()
        .last()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count in {before}"))
}

/// The values of the facets of a list page in which nothing is chosen:
/// (href, label, count).
fn choices(html: &str) -> Vec<(String, String, usize)> {
    let facets = html
        .split("<nav class=\"facets\"")
        .nth(1)
        .and_then(|s| s.split("</nav>").next())
        .expect("facets");
    facets
        .split("<details")
        .filter(|f| !f.contains("aria-current"))
        .flat_map(facet_choices)
        .collect()
}

fn facet_choices(facet: &str) -> Vec<(String, String, usize)> {
    facet
        .split("<a href=\"")
        .skip(1)
        .filter_map(|a| {
            let (href, rest) = a.split_once('"')?;
            let text = rest.split("</a>").next()?;
            let count = text.rsplit('(').next()?.split(')').next()?.parse().ok()?;
            let label = text.split('>').nth(1).unwrap_or(text).to_owned();
            Some((super::decode(href), label, count))
        })
        .collect()
}

#[tokio::test]
async fn the_home_page_counts_the_demo_and_shows_the_latest_use_cases() {
    let app = app();
    let r = app.get("/", Some("text/html")).await;
    assert_eq!(r.status, StatusCode::OK);
    let text = page_text(&r);
    for figure in [
        "46 projets",
        "43 organisations",
        "16 solutions",
        "30 ressources",
    ] {
        assert!(text.contains(figure), "{figure} in {text}");
    }
    assert!(text.contains("Derniers projets") && text.contains("Données fictives"));
    assert!(r.text().matches("href=\"/page/projet/").count() >= 6);
}

#[tokio::test]
async fn facet_counts_are_what_a_click_gives_and_facets_combine() {
    let app = app();
    let two = "/projets?theme=transition-ecologique-et-energetique&statut=en-deploiement";
    let r = app.get(two, None).await;
    assert_eq!(r.status, StatusCode::OK);
    let total = results(&page_text(&r));
    let theme_only = results(&page_text(
        &app.get("/projets?theme=transition-ecologique-et-energetique", None)
            .await,
    ));
    assert!(total > 0 && total < theme_only, "{total} < {theme_only}");
    let html = r.text();
    let links = choices(&html);
    assert!(links.len() > 10, "facet values: {links:?}");
    assert!(
        !links
            .iter()
            .any(|(h, _, _)| h.contains("theme=administration")),
        "the facets with a choice are left out here"
    );
    for (href, label, count) in &links {
        let followed = app.get(href, None).await;
        assert_eq!(followed.status, StatusCode::OK, "{href}");
        let got = results(&page_text(&followed));
        assert_eq!(
            got, *count,
            "« {label} » says {count}, its list has {got} ({href})"
        );
    }
    let orgs = app
        .get(
            "/organisations?type-organisation=metropole&region=region-84",
            None,
        )
        .await;
    assert!(page_text(&orgs).contains("Métropole de Lyon"));
}

#[tokio::test]
async fn lists_are_paged_and_sorted_with_the_state_in_the_url() {
    let app = app();
    let first = app.get("/projets?tri=titre", None).await;
    let html = first.text();
    assert_eq!(html.matches("<li class=\"card\">").count(), 20);
    assert!(
        super::decode(&html).contains("rel=\"next\" href=\"/projets?tri=titre&page=2\""),
        "a link to the next page"
    );
    let last = app.get("/projets?tri=titre&page=3", None).await;
    assert_eq!(
        last.text().matches("<li class=\"card\">").count(),
        6,
        "46 = 20 + 20 + 6"
    );
    let titles: Vec<String> = html
        .split("<li class=\"card\">")
        .skip(1)
        .filter_map(|c| {
            c.split("\">")
                .nth(1)?
                .split("</a>")
                .next()
                .map(str::to_owned)
        })
        .collect();
    let mut sorted = titles.clone();
    sorted.sort_by_key(|t| bibia::iri::fold(t));
    assert_eq!(titles, sorted, "sorted by title");
    let beyond = app.get("/projets?page=99", None).await;
    assert_eq!(
        beyond.status,
        StatusCode::OK,
        "a page past the end shows the last"
    );
}

#[tokio::test]
async fn a_selection_downloads_as_csv_and_as_rdf() {
    let app = app();
    let query = "theme=transition-ecologique-et-energetique&statut=en-deploiement";
    let total = results(&page_text(
        &app.get(&format!("/projets?{query}"), None).await,
    ));
    let csv = app.get(&format!("/projets.csv?{query}"), None).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    let mut reader = csv::Reader::from_reader(csv.body.as_slice());
    let header = reader.headers().expect("header").clone();
    assert_eq!(&header[0], "iri");
    assert!(header.iter().any(|h| h == "theme"));
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), total);
    assert!(rows.iter().all(|r| r[3].contains("Transition écologique")));

    let ttl = app.get(&format!("/projets.ttl?{query}"), None).await;
    assert_eq!(
        ttl.header("content-type"),
        Some("text/turtle; charset=utf-8")
    );
    let use_cases = oxigraph::io::RdfParser::from_format(RdfFormat::Turtle)
        .for_slice(&ttl.body)
        .map(|q| q.expect("parses"))
        .filter(|q| q.object.to_string() == "<https://w3id.org/bibia/def#UseCase>")
        .count();
    assert_eq!(use_cases, total);
}

#[tokio::test]
async fn a_burst_of_64_clients_on_pages_and_lists_gets_only_200_and_304() {
    let _turn = crate::common::TIMING.lock().await;
    let app = app();
    let paths = [
        "/",
        "/projets",
        "/projets?theme=mobilites",
        "/organisations?region=region-84",
        "/page/projet/metropole-de-lyon-chatbot-dechets",
        "/page/organisation/metropole-de-lyon",
        "/data/projet/metropole-de-lyon-chatbot-dechets.ttl",
        "/page/concept/theme/mobilites",
    ];
    let etag = app
        .get(paths[4], None)
        .await
        .header("etag")
        .expect("ETag")
        .to_owned();
    let mut clients = Vec::new();
    for c in 0..64 {
        let app = app.clone();
        let etag = etag.clone();
        clients.push(tokio::spawn(async move {
            let mut statuses = Vec::new();
            for i in 0..10 {
                let path = paths[(c + i) % paths.len()];
                let r = if i % 3 == 0 {
                    get_with(&app, paths[4], &[("if-none-match", &etag)]).await
                } else {
                    app.get(path, None).await
                };
                statuses.push((path, r.status));
            }
            statuses
        }));
    }
    let mut answered = 0;
    for c in clients {
        for (path, status) in c.await.expect("client") {
            assert!(
                status == StatusCode::OK || status == StatusCode::NOT_MODIFIED,
                "{path}: {status}"
            );
            answered += 1;
        }
    }
    assert_eq!(answered, 640);
}

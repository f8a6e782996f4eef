//! The French full-text search (`/recherche`, `q=` on the lists): stemming,
//! accents and case, typos, ranking (title above description), snippets,
//! facets combined with the words, no restricted word ever found, and the
//! index current after a load while serving.

use crate::common::{self, TestApp, TestStore, enc};
use axum::http::StatusCode;
use serde_json::Value;

async fn json(app: &TestApp, query: &str) -> Value {
    let r = app
        .get(&format!("/recherche?format=json&{query}"), None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{query}: {}", r.text());
    assert_eq!(r.header("content-type"), Some("application/json"));
    serde_json::from_slice(&r.body).expect("JSON")
}

fn titles(answer: &Value) -> Vec<String> {
    answer["resultats"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["titre"].as_str().expect("title").to_owned())
        .collect()
}

#[tokio::test]
async fn french_words_are_found_whatever_their_form_accents_case_or_typo() {
    let app = TestApp::demo();
    let q = |s: &str| format!("q={}", enc(s));
    // Singular and plural, accents and case.
    let plural = json(&app, &q("dépôts sauvages")).await;
    for variant in ["depot sauvage", "DÉPÔT SAUVAGE", "Dépots sauvage"] {
        let other = json(&app, &q(variant)).await;
        assert_eq!(titles(&other), titles(&plural), "{variant}");
    }
    let found = titles(&plural);
    assert!(
        found.iter().any(|t| t == "Détection des dépôts sauvages"),
        "{found:?}"
    );
    assert!(plural["par_type"]["ressources"].as_u64().unwrap_or(0) >= 2);
    // "déchets" finds "déchet" and "biodéchets" is another word.
    let dechet = titles(&json(&app, &q("déchet")).await);
    assert!(dechet.contains(&"Chatbot déchets".to_owned()), "{dechet:?}");
    // One typo in a word of five letters or more, alone or not.
    for typo in ["détectoin", "detectoin dépôts", "dépots sauvgaes"] {
        let found = titles(&json(&app, &q(typo)).await);
        assert!(
            found.contains(&"Détection des dépôts sauvages".to_owned()),
            "{typo}: {found:?}"
        );
    }
    // Not for shorter words: one letter changes them too much (`dépo` is
    // one letter from `dépôt`, and finds nothing).
    assert_eq!(json(&app, &q("dépo")).await["total"], 0);
    // The title weighs more than the description: the records titled with
    // the word come first.
    let ranked = json(&app, &format!("{}&type=projets", q("chatbot"))).await;
    let first = titles(&ranked);
    assert!(first[0].to_lowercase().contains("chatbot"), "{first:?}");
    // Snippets mark the words, escaped.
    let snippet = plural["resultats"]
        .as_array()
        .expect("results")
        .iter()
        .filter_map(|r| r["extrait"].as_str())
        .find(|s| !s.is_empty())
        .expect("a snippet");
    assert!(snippet.contains("<mark>"), "{snippet}");
    // Nothing to look for, nothing found.
    assert_eq!(json(&app, "q=").await["total"], 0);
    assert_eq!(json(&app, &q("le la les de")).await["total"], 0);
}

#[tokio::test]
async fn the_facets_of_a_list_combine_with_the_words() {
    let app = TestApp::demo();
    let words = enc("déchets");
    let list = app
        .get(&format!("/projets?q={words}"), Some("text/html"))
        .await;
    assert_eq!(list.status, StatusCode::OK);
    let html = list.text();
    assert!(html.contains("<mark>"), "snippets on the list");
    let csv = |query: String| {
        let app = app.clone();
        async move {
            let r = app.get(&format!("/projets.csv?{query}"), None).await;
            assert_eq!(r.status, StatusCode::OK);
            csv::Reader::from_reader(r.body.as_slice())
                .records()
                .map(|r| r.expect("row")[1].to_owned())
                .collect::<Vec<String>>()
        }
    };
    let all = csv(format!("q={words}")).await;
    let answer = json(&app, &format!("q={words}&type=projets&limite=200")).await;
    assert_eq!(
        all.len() as u64,
        answer["par_type"]["projets"].as_u64().expect("count")
    );
    // The facet counts of the list are those its links give.
    let theme = "transition-ecologique-et-energetique";
    let narrowed = csv(format!("q={words}&theme={theme}")).await;
    assert!(!narrowed.is_empty() && narrowed.len() <= all.len());
    let shown = format!("/projets?q={words}&theme={theme}");
    assert!(
        crate::pages::decode(&html).contains(&shown),
        "the facet link keeps the words"
    );
    for title in &narrowed {
        assert!(all.contains(title), "{title}");
    }
}

#[tokio::test]
async fn no_restricted_word_is_ever_found() {
    let app = TestApp::demo();
    let public: String = {
        let bytes = common::demo()
            .stores
            .export(oxigraph::io::RdfFormat::NQuads, false, Vec::new())
            .expect("export");
        fold(&String::from_utf8_lossy(&bytes))
    };
    // Words of restricted values that no public text holds.
    let mut words: Vec<String> = crate::pages::restricted::secrets()
        .iter()
        .flat_map(|s| {
            s.split(|c: char| !c.is_alphanumeric())
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .filter(|w| w.chars().count() >= 9 && !public.contains(&fold(w)))
        .collect();
    words.sort();
    words.dedup();
    assert!(words.len() >= 5, "restricted-only words: {words:?}");
    for word in words.iter().take(40) {
        let answer = json(&app, &format!("q={}", enc(word))).await;
        // A typo away from a public word is fair; the word itself is not.
        for r in answer["resultats"].as_array().expect("results") {
            let snippet = r["extrait"].as_str().unwrap_or("");
            assert!(
                !fold(snippet).contains(&fold(word)),
                "{word} shown in {snippet}"
            );
        }
    }
}

fn fold(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization as _;
    s.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .collect::<String>()
        .to_lowercase()
}

#[tokio::test]
async fn the_index_follows_a_load_while_serving() {
    let store = TestStore::with_model();
    let app = TestApp::serve(&store, Default::default(), 16);
    let before = json(&app, "q=courriers").await;
    assert_eq!(before["total"], 0);
    common::import_project(
        &store,
        "Tri des courriers entrants",
        "Un service qui lit et classe le courrier.",
    );
    let after = json(&app, "q=courrier").await;
    assert_eq!(titles(&after), ["Tri des courriers entrants"]);
    let page = app.get("/recherche?q=courrier", Some("text/html")).await;
    assert!(page.text().contains("Tri des courriers entrants"));
    // One index folder, the current one.
    let folders: Vec<_> = std::fs::read_dir(store.dir.path().join("search"))
        .expect("the index folder")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(folders.len(), 1, "{folders:?}");
}

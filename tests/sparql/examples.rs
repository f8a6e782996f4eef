//! The example queries of `data/queries/`, each checked on the demo data
//! against the expected answer kept beside it (`NN-name.expected.json`):
//! for a `SELECT`, its columns and one row that must be among the results;
//! for a graph, text the N-Triples answer must contain, and must not.

use super::*;

#[tokio::test]
async fn example_queries_answer_on_the_demo_data() {
    let app = TestApp::demo();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/data/queries");
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .expect("data/queries")
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".rq").map(str::to_owned)
        })
        .collect();
    files.sort();
    assert!(files.len() >= 15, "{files:?}");
    for file in &files {
        let query = std::fs::read_to_string(format!("{dir}/{file}.rq")).expect("example file");
        let expected: Value = serde_json::from_str(
            &std::fs::read_to_string(format!("{dir}/{file}.expected.json"))
                .unwrap_or_else(|e| panic!("{file}.expected.json: every example has one ({e})")),
        )
        .expect("expected answer is JSON");
        if let Some(format) = expected["format"].as_str() {
            let r = get_query(&app, &query, &format!("&format={format}"), None).await;
            assert_eq!(r.status, StatusCode::OK, "{file}: {}", r.text());
            let text = r.text();
            for s in expected["contains"].as_array().expect("contains") {
                let s = s.as_str().expect("text");
                assert!(text.contains(s), "{file}: no {s:?} in\n{text}");
            }
            for s in expected["absent"].as_array().expect("absent") {
                let s = s.as_str().expect("text");
                assert!(!text.contains(s), "{file}: {s:?} in\n{text}");
            }
            continue;
        }
        let columns: Vec<&str> = expected["columns"]
            .as_array()
            .expect("columns")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let row: Vec<(&str, &str)> = expected["row"]
            .as_object()
            .expect("row")
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str().expect("a value")))
            .collect();
        assert!(!row.is_empty(), "{file}: an expected row");
        let (vars, rows) = select_on(&app, &query, "").await;
        assert_eq!(vars, columns, "{file}: columns");
        assert!(
            rows.iter().any(|r| row
                .iter()
                .all(|(k, v)| r.get(*k).map(String::as_str) == Some(*v))),
            "{file}: no row with {row:?}; got {:?}",
            &rows[..rows.len().min(5)]
        );
    }
}

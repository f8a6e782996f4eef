//! The example queries of `data/queries/*.rq`, embedded in the binary and
//! shown on the query page. Each file starts with `# title:` and
//! `# question:` comment lines (French); a test checks that this list and
//! the directory agree.

use std::sync::LazyLock;

/// One example query.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct Example {
    /// File name, without `.rq`.
    pub(crate) id: &'static str,
    /// Short French title.
    pub(crate) title: &'static str,
    /// The question it answers, in French.
    pub(crate) question: &'static str,
    /// The query text (with its header comments).
    pub(crate) query: &'static str,
}

macro_rules! examples {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../../data/queries/", $name, ".rq")))),*]
    };
}

/// File names and texts, in the order shown.
const FILES: &[(&str, &str)] = examples![
    "01-projets-par-theme-et-region",
    "02-ia-generative",
    "03-solutions-partagees",
    "04-risque-eleve-sans-opposition",
    "05-ressources-libres",
    "06-partenaires-frequents",
    "07-projets-par-statut",
    "08-projets-par-type-organisation",
    "09-fiches-transparence",
    "10-ressources-par-type",
    "11-projets-par-annee",
    "12-organisations-par-region",
    "13-projets-sur-la-carte",
    "14-projets-mobilites",
    "15-fiche-projet",
];

/// The examples, with their headers read once.
pub(crate) static EXAMPLES: LazyLock<Vec<Example>> = LazyLock::new(|| {
    FILES
        .iter()
        .map(|(id, query)| Example {
            id,
            title: header(query, "title"),
            question: header(query, "question"),
            query,
        })
        .collect()
});

fn header<'a>(query: &'a str, key: &str) -> &'a str {
    query
        .lines()
        .take_while(|l| l.starts_with('#'))
        .find_map(|l| {
            l.trim_start_matches('#')
                .trim()
                .strip_prefix(key)?
                .strip_prefix(':')
        })
        .map_or("", str::trim)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_is_listed_with_a_title_and_a_question() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/data/queries");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| {
                e.ok()?
                    .file_name()
                    .into_string()
                    .ok()?
                    .strip_suffix(".rq")
                    .map(str::to_owned)
            })
            .collect();
        on_disk.sort();
        let listed: Vec<&str> = FILES.iter().map(|(n, _)| *n).collect();
        assert_eq!(on_disk, listed, "data/queries and the embedded list differ");
        assert!(EXAMPLES.len() >= 12);
        for e in EXAMPLES.iter() {
            assert!(
                !e.title.is_empty() && !e.question.is_empty(),
                "{} lacks a header",
                e.id
            );
            spargebra::SparqlParser::new()
                .with_base_iri("http://localhost:8080/")
                .unwrap()
                .parse_query(e.query)
                .unwrap_or_else(|err| panic!("{}: {err}", e.id));
        }
    }
}

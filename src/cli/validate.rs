//! `bibia validate`: check files against the shapes without a store, and
//! print a French report (or Turtle / JSON for machines).

use super::Outcome;
use super::args::ReportFormat;
use crate::config::base_or_local;
use crate::model::Model;
use crate::rdf;
use crate::shacl::DataGraph;
use oxrdf::{Term, Triple};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub(crate) fn run(
    shapes: &[PathBuf],
    format: ReportFormat,
    base: Option<&str>,
    no_context: bool,
    files: &[PathBuf],
) -> anyhow::Result<Outcome> {
    let base = base_or_local(base, None)?;
    let model = if shapes.is_empty() {
        Model::bundled(&base)?
    } else {
        Model::with_shapes(&base, &expand_dirs(shapes)?)?
    };
    let mut triples = Vec::new();
    let mut texts = Vec::new();
    for path in files {
        let (fmt, bytes) = rdf::read_bytes(path)?;
        triples.extend(
            rdf::parse(path, fmt, &bytes, base.as_str())?
                .into_iter()
                .map(Triple::from),
        );
        texts.push((
            path.display().to_string(),
            String::from_utf8_lossy(&bytes).into_owned(),
        ));
    }
    let focus_count = triples.len();
    if !no_context {
        triples.extend(model.context());
    }
    let data = DataGraph::from_triples(triples);
    let report = model.shapes.validate(&data);
    match format {
        ReportFormat::Turtle => print!("{}", report.to_turtle()),
        ReportFormat::Json => println!("{}", report.to_json()),
        ReportFormat::Text => {
            let mut locations = HashMap::new();
            for r in report.results() {
                if let Term::NamedNode(n) = r.focus_node() {
                    if let Some(found) = texts.iter().find_map(|(name, text)| {
                        rdf::line_of(text, n.as_str(), base.as_str()).map(|l| (name.clone(), l))
                    }) {
                        locations.insert(r.focus_node().clone(), found);
                    }
                }
            }
            if report.conforms() {
                println!("Conforme : {focus_count} triplets vérifiés, aucun problème.");
            } else {
                print!("{}", report.to_french_text(Some(&locations)));
                if !report.has_violations() {
                    println!("Conforme : seulement des avertissements.");
                }
            }
        }
    }
    Ok(if report.has_violations() {
        Outcome::Rejected
    } else {
        Outcome::Success
    })
}

/// Files given directly, and the `.ttl` files of given directories.
fn expand_dirs(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(p)?
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|f| rdf::format_of(Path::new(f)).is_some())
                .collect();
            files.sort();
            out.extend(files);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

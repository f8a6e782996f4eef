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
use std::time::{Duration, Instant};

pub(crate) fn run(
    shapes: &[PathBuf],
    format: ReportFormat,
    base: Option<&str>,
    no_context: bool,
    timings: bool,
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
    let start = Instant::now();
    let data = DataGraph::from_triples(triples);
    let indexed = start.elapsed();
    let report = model.shapes.validate(&data);
    if timings {
        print_timings(&model, &data, indexed, start.elapsed() - indexed);
    }
    match format {
        ReportFormat::Turtle => print!("{}", report.to_turtle()),
        ReportFormat::Json => println!("{}", report.to_json()),
        ReportFormat::Text => {
            let mut locations = HashMap::new();
            for r in report.results() {
                if let Term::NamedNode(n) = r.focus_node()
                    && let Some(found) = texts.iter().find_map(|(name, text)| {
                        rdf::line_of(text, n.as_str(), base.as_str()).map(|l| (name.clone(), l))
                    })
                {
                    locations.insert(r.focus_node().clone(), found);
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

/// Timings for benchmarks: indexing, whole validation, and each use case
/// validated as one record (`validate_focus` on its subjects).
fn print_timings(model: &Model, data: &DataGraph, indexed: Duration, validated: Duration) {
    eprintln!(
        "indexation : {:.3} s ; validation : {:.3} s",
        indexed.as_secs_f64(),
        validated.as_secs_f64()
    );
    let use_case = Term::from(crate::vocab::bia::USE_CASE.into_owned());
    let mut times: Vec<Duration> = data
        .subjects_of_type(&use_case)
        .iter()
        .take(1000)
        .map(|record| {
            let t = Instant::now();
            let _ = model.shapes.validate_focus(data, std::iter::once(record));
            t.elapsed()
        })
        .collect();
    if times.is_empty() {
        return;
    }
    times.sort();
    eprintln!(
        "un cas d'usage validé seul ({} mesurés) : médiane {:.1} µs, pire {:.1} µs",
        times.len(),
        times[times.len() / 2].as_secs_f64() * 1e6,
        times[times.len() - 1].as_secs_f64() * 1e6
    );
}

//! `bibia load FILE...`: parse, validate, commit atomically, report.

use super::{Outcome, interactive};
use crate::rdf;
use crate::store::{Batch, LoadError, Stores};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::PathBuf;
use std::time::Instant;

/// Text sources above this size are not kept for locating records.
const MAX_TEXT_FOR_LOCATIONS: usize = 64 << 20;

/// Parses `files` into batches; a file that does not parse stops everything.
pub(crate) fn read_batches(stores: &Stores, files: &[PathBuf]) -> anyhow::Result<Vec<Batch>> {
    let mut batches = Vec::with_capacity(files.len());
    for path in files {
        let (format, bytes) = rdf::read_bytes(path)?;
        let quads = rdf::parse(path, format, &bytes, stores.base().as_str())?;
        let text = (bytes.len() < MAX_TEXT_FOR_LOCATIONS).then(|| {
            String::from_utf8(bytes)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
        });
        batches.push(Batch {
            name: path.display().to_string(),
            quads,
            text,
        });
    }
    Ok(batches)
}

/// Loads files; prints a French report when the data does not conform.
pub(crate) fn run(stores: &Stores, files: &[PathBuf]) -> anyhow::Result<Outcome> {
    let start = Instant::now();
    let mut batches = read_batches(stores, files)?;
    let triples: usize = batches.iter().map(|b| b.quads.len()).sum();
    eprintln!(
        "{triples} triplets lus dans {} fichier(s) en {:.1} s ; validation…",
        files.len(),
        start.elapsed().as_secs_f64()
    );
    if stores.is_empty()? {
        batches.insert(0, crate::seed::model_batch(stores));
    }
    let bar = if interactive() {
        let bar = ProgressBar::new(triples as u64);
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} écriture {bar:40} {pos}/{len} triplets ({per_sec}, reste {eta})",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    } else {
        ProgressBar::hidden()
    };
    let progress = bar.clone();
    let result = stores.load(batches, move |n| progress.set_position(n));
    bar.finish_and_clear();
    match result {
        Ok(s) => {
            eprintln!(
                "Chargé : {} quads dans {} graphe(s) ({} remplacé(s)), dont {} publics, en {:.1} s.",
                s.quads,
                s.graphs,
                s.replaced,
                s.public_quads,
                start.elapsed().as_secs_f64()
            );
            Ok(Outcome::Success)
        }
        Err(LoadError::NotConform { report, locations }) => {
            eprint!("{}", report.to_french_text(Some(&locations)));
            eprintln!("Chargement refusé : la base n'a pas été modifiée.");
            Ok(Outcome::Rejected)
        }
        Err(e) => Err(e.into()),
    }
}

//! `bibia load [--rebase] FILE...`: parse, check the base IRI of the
//! records, validate, commit atomically, report.

use super::{Outcome, interactive};
use crate::rdf;
use crate::store::{Batch, ForeignBase, LoadError, Stores};
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
/// Files minted under another base IRI are refused (exit 2) unless
/// `rebase` renames their IRIs to the store's base.
pub(crate) fn run(stores: &Stores, files: &[PathBuf], rebase: bool) -> anyhow::Result<Outcome> {
    let start = Instant::now();
    let mut batches = read_batches(stores, files)?;
    if rebase {
        for from in crate::store::rebase(&mut batches, stores.base()) {
            eprintln!("IRI sous {from} renommées sous {}", stores.base().as_str());
        }
    }
    if let Some(foreign) = crate::store::foreign_base(&batches, stores.base()) {
        return Err(foreign_base_error(&foreign));
    }
    let triples: usize = batches.iter().map(|b| b.quads.len()).sum();
    eprintln!(
        "{triples} triplets lus dans {} fichier(s) en {:.1} s ; validation…",
        files.len(),
        start.elapsed().as_secs_f64()
    );
    if stores.is_empty()? {
        batches.insert(0, stores.model().batch());
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
                "Chargé : {} quads dans {} graphe(s) ({} remplacé(s), {} déjà à jour), dont {} publics, en {:.1} s.",
                s.quads,
                s.graphs,
                s.replaced,
                s.unchanged,
                s.public_quads,
                start.elapsed().as_secs_f64()
            );
            Ok(Outcome::Success)
        }
        Err(LoadError::ForeignBase(foreign)) => Err(foreign_base_error(&foreign)),
        Err(LoadError::NotConform { report, locations }) => {
            eprint!("{}", report.to_french_text(Some(&locations)));
            eprintln!("Chargement refusé : la base n'a pas été modifiée.");
            Ok(Outcome::Rejected)
        }
        Err(e) => Err(e.into()),
    }
}

/// What to do about a file minted under another base IRI.
fn foreign_base_error(foreign: &ForeignBase) -> anyhow::Error {
    anyhow::anyhow!(
        "{foreign}.\nPour le charger : relancez avec --rebase (ses IRI {found}… deviennent {expected}…), \
         ou, si cette base doit servir à l'adresse {found}, avec --base-iri {found} (ou BIBIA_BASE_IRI={found}).",
        found = foreign.found,
        expected = foreign.expected,
    )
}

//! `bibia import interconnectes FILE.csv [--columns champ=colonne,…]
//! [--dry-run] [--report FILE]`: runs the import, prints warnings,
//! rejections and a French summary, writes the rejected rows to the report
//! file.

use super::Outcome;
use crate::import::{Field, ImportError, Options, ReadError, Step, shell_quote};
use crate::store::Stores;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal as _;
use std::path::Path;
use std::sync::Arc;

/// Files with fewer rows get no progress bar.
const BAR_FROM_ROWS: u64 = 500;

/// Runs the import. `Ok(Outcome::Rejected)` when some rows were rejected,
/// `Err` when the file could not be read, is in no known layout or lacks a
/// column every row needs (exit 2).
pub fn run(
    stores: &Stores,
    file: &Path,
    columns: &[(Field, String)],
    dry_run: bool,
    report: Option<&Path>,
) -> anyhow::Result<Outcome> {
    let bar = if std::io::stderr().is_terminal() {
        ProgressBar::new(0)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} {bar:40} {pos}/{len}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let b = bar.clone();
    let progress = Arc::new(move |step: Step| match step {
        Step::Rows(done, total) if total >= BAR_FROM_ROWS => {
            b.set_message("lignes");
            b.set_length(total);
            b.set_position(done);
        }
        Step::Validating(quads) if quads > 0 => {
            b.set_message(format!("validation de {quads} triplets…"));
        }
        Step::Writing(n) => {
            b.set_message("écriture");
            b.set_position(n);
        }
        _ => {}
    });
    let options = Options {
        dry_run,
        progress: Some(progress),
        columns: columns.to_vec(),
    };
    let result = crate::import::import_file(stores, file, &options);
    bar.finish_and_clear();
    let outcome = match result {
        Ok(r) => r,
        Err(ImportError::Format { name, source }) => {
            let mut message = format!("{name} : {source}");
            if let ReadError::MissingFields { suggestion, .. } = &source {
                message += &format!(
                    "\nPar exemple :\n  bibia import interconnectes {} --columns {}",
                    shell_quote(&file.display().to_string()),
                    shell_quote(suggestion)
                );
            }
            anyhow::bail!(message);
        }
        Err(e @ ImportError::Io { .. }) => return Err(e.into()),
        Err(e) => {
            return Err(anyhow::Error::new(e).context(format!("import de {}", file.display())));
        }
    };
    for note in &outcome.notes {
        eprintln!("{} : {note}", outcome.source);
    }
    for w in &outcome.warnings {
        eprintln!("avertissement, ligne {} : {}", w.row, w.message);
    }
    for r in &outcome.rejected {
        eprintln!("REJET, ligne {} : {}", r.row, r.message);
    }
    if let Some(path) = report {
        outcome.write_rejected_file(path)?;
        eprintln!(
            "Lignes rejetées écrites dans {} (colonne motif_rejet) : corrigez-les puis réimportez ce fichier.",
            path.display()
        );
    }
    eprint!("{}", outcome.summary());
    Ok(if outcome.rejected.is_empty() {
        Outcome::Success
    } else {
        Outcome::Rejected
    })
}

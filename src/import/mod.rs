//! Importing the network's CSV inventory (`bibia import interconnectes`).
//!
//! A file in one of the network's layouts ([`Layout`]) is read, each row is
//! cleaned (SIRET, dates, coordinates, multi-valued cells) and its list
//! values matched to the concept schemes; organisations are deduplicated by
//! SIREN, then by normalised name, across rows, files and the store; each row
//! becomes a project record `/id/projet/{slug(organisation + project)}` and
//! each organisation a record `/id/organisation/{slug}`, so the same row
//! always gets the same IRIs.
//!
//! Nothing is lost: a value that matches no list, or a SIRET that fails its
//! check (the organisation is then recognised by its name), is kept on the
//! project as `bia:unmatchedValue "Champ : valeur"` and reported as a
//! warning. Only a row that cannot be imported at all (no project or
//! organisation name, same project as an earlier row with another content,
//! record that does not conform to the shapes) is rejected with its reason.
//!
//! Validation comes first, for the whole file: the records that differ from
//! the store are validated together; the rows whose records fail are
//! rejected with the shapes' French messages, the others are rebuilt without
//! them (an organisation may lose a spelling) and validated again, until
//! what remains conforms. The remaining records are then written by one
//! [`Stores::load`] call, atomically. Records whose content (ignoring
//! `prov:generatedAtTime`) equals the stored one are left alone, and when
//! nothing changed the store is not touched at all: importing a file twice
//! leaves the store identical.

mod concepts;
mod interconnectes;
mod normalize;
mod partners;
mod reconcile;
mod records;

pub(crate) use concepts::Concepts;
pub use interconnectes::{ColumnsError, Field, Layout, ReadError, parse_column};
pub(crate) use interconnectes::{shell_quote, write_rejected};
pub(crate) use partners::KnownNames;

use crate::store::{Batch, LoadError, LoadSummary, StoreError, Stores};
use interconnectes::Table;
use oxigraph::model::{Literal, vocab::xsd};
use reconcile::Reconciled;
use records::{Context, Prepared, Rules};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where an import is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Step {
    /// Rows cleaned so far, out of the total.
    Rows(u64, u64),
    /// Records being validated.
    Validating(u64),
    /// Quads written so far.
    Writing(u64),
}

/// Progress callback.
pub type Progress = Arc<dyn Fn(Step) + Send + Sync>;

/// Options of an import.
#[derive(Clone, Default)]
pub struct Options {
    /// Check and report, write nothing.
    pub dry_run: bool,
    /// Told how the import goes (for a progress bar).
    pub progress: Option<Progress>,
    /// The file's column of some fields (`--columns`), overriding the
    /// columns detected from the headers.
    pub columns: Vec<(Field, String)>,
}

/// A message about one row of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowMessage {
    /// The row's number in a spreadsheet (the header is row 1).
    pub row: usize,
    /// What happened, in French.
    pub message: String,
}

/// What an import did (or, with `dry_run`, would do).
#[derive(Debug)]
pub struct ImportReport {
    /// The file name.
    pub source: String,
    /// The layout detected.
    pub layout: Layout,
    /// Data rows read (blank rows are not counted).
    pub rows_read: usize,
    /// Rows imported (including those already up to date).
    pub imported: usize,
    /// Rows imported with at least one warning.
    pub with_warnings: usize,
    /// Warnings about imported rows.
    pub warnings: Vec<RowMessage>,
    /// Rejected rows and why.
    pub rejected: Vec<RowMessage>,
    /// Notes about the file itself (encoding, ignored columns).
    pub notes: Vec<String>,
    /// Organisations created by this import.
    pub organisations_created: usize,
    /// Stored organisations reused.
    pub organisations_reused: usize,
    /// Records (projects and organisations) written or to write.
    pub records_written: usize,
    /// Records already up to date.
    pub records_unchanged: usize,
    /// Whether nothing was written on purpose.
    pub dry_run: bool,
    /// What the store load wrote (`None` when nothing was written).
    pub load: Option<LoadSummary>,
    table: Table,
    rejected_rows: Vec<(usize, String)>,
}

/// An import that could not run. Nothing was written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// The file could not be read.
    #[error("{path} : lecture impossible : {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not in one of the network's layouts.
    #[error("{name} : {source}")]
    Format {
        /// The file name.
        name: String,
        /// The cause.
        source: ReadError,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The final write was refused (it should not be: every record was
    /// validated before).
    #[error(transparent)]
    Load(#[from] LoadError),
    /// The records still do not conform after removing the failing rows.
    #[error(
        "les fiches ne deviennent pas conformes en retirant les lignes en cause : rien n'a été écrit"
    )]
    NotConverging,
    /// The rejection report could not be written.
    #[error("{path} : écriture du rapport impossible : {source}")]
    Report {
        /// The report file.
        path: PathBuf,
        /// The cause.
        source: csv::Error,
    },
}

impl ImportReport {
    /// Writes the rejected rows back in the file's layout (same headers and
    /// separator) with a `motif_rejet` column.
    pub fn write_rejected<W: std::io::Write>(&self, out: W) -> Result<(), csv::Error> {
        interconnectes::write_rejected(&self.table, &self.rejected_rows, out)
    }

    /// Writes [`Self::write_rejected`] to a file.
    pub fn write_rejected_file(&self, path: &Path) -> Result<(), ImportError> {
        let file = std::fs::File::create(path).map_err(|e| ImportError::Report {
            path: path.to_owned(),
            source: e.into(),
        })?;
        self.write_rejected(std::io::BufWriter::new(file))
            .map_err(|source| ImportError::Report {
                path: path.to_owned(),
                source,
            })
    }

    /// The French summary printed at the end.
    pub fn summary(&self) -> String {
        let verb = if self.dry_run {
            "à écrire"
        } else {
            "écrites"
        };
        let mut s = format!("Import de {} ({}) :\n", self.source, self.layout.label());
        s += &format!("  lignes lues : {}\n", self.rows_read);
        s += &format!(
            "  importées : {} (dont {} avec avertissements)\n",
            self.imported, self.with_warnings
        );
        s += &format!("  rejetées : {}\n", self.rejected.len());
        s += &format!(
            "  organisations : {} créée(s), {} réutilisée(s)\n",
            self.organisations_created, self.organisations_reused
        );
        s += &format!(
            "  fiches {verb} : {} ; déjà à jour : {}\n",
            self.records_written, self.records_unchanged
        );
        if self.dry_run {
            s += "  essai à blanc (--dry-run) : la base n'a pas été modifiée\n";
        } else if self.load.is_none() {
            s += "  rien n'a changé : la base n'a pas été modifiée\n";
        }
        s
    }
}

/// Reads a file of one of the network's layouts and checks that it has a
/// column for every field a row needs.
pub(crate) fn read_table(bytes: &[u8], columns: &[(Field, String)]) -> Result<Table, ReadError> {
    let table = interconnectes::read(bytes, columns)?;
    table.check_required()?;
    Ok(table)
}

/// Cleans and matches every row of `table` (the last step of an import
/// that needs no store): the rows prepared, and the rows refused with
/// their reason, by row number.
pub(crate) fn prepare_rows(
    table: &Table,
    concepts: &Concepts,
    names: &KnownNames,
    tell: &dyn Fn(Step),
) -> (Vec<Prepared>, BTreeMap<usize, String>) {
    let rules = Rules {
        concepts,
        names,
        has_abandon_column: table.fields.contains(&Field::StatusAbandon),
    };
    let total = table.rows.len() as u64;
    let mut rejected: BTreeMap<usize, String> = BTreeMap::new();
    let mut prepared: Vec<Prepared> = Vec::new();
    for (n, row) in table.rows.iter().enumerate() {
        match records::prepare(row, &rules) {
            Ok(p) => prepared.push(p),
            Err(reason) => {
                rejected.insert(row.number, reason);
            }
        }
        if n % 64 == 0 {
            tell(Step::Rows(n as u64, total));
        }
    }
    tell(Step::Rows(total, total));
    (prepared, rejected)
}

/// Imports a file.
pub fn import_file(
    stores: &Stores,
    path: &Path,
    options: &Options,
) -> Result<ImportReport, ImportError> {
    let bytes = std::fs::read(path).map_err(|source| ImportError::Io {
        path: path.to_owned(),
        source,
    })?;
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    import_bytes(stores, &name, &bytes, options)
}

/// Imports the bytes of a file called `name` (recorded as `dcterms:source`).
pub fn import_bytes(
    stores: &Stores,
    name: &str,
    bytes: &[u8],
    options: &Options,
) -> Result<ImportReport, ImportError> {
    let tell = |step: Step| {
        if let Some(p) = &options.progress {
            p(step);
        }
    };
    let format = |source| ImportError::Format {
        name: name.to_owned(),
        source,
    };
    let table = read_table(bytes, &options.columns).map_err(format)?;
    let concepts = Concepts::new(&stores.model().concepts);
    let cx = Context {
        base: stores.base(),
        concepts: &concepts,
        source: name,
        generated: Literal::new_typed_literal(crate::time::now_xsd(), xsd::DATE_TIME),
    };
    let names = KnownNames::for_file(stores.base(), stores.hyphenated_names()?, &table);
    let (prepared, mut rejected) = prepare_rows(&table, &concepts, &names, &tell);

    let index = stores.organisation_index()?;
    let Reconciled {
        built,
        changed,
        unchanged,
        skip,
    } = reconcile::reconcile(stores, &index, &prepared, &cx, &mut rejected, &tell)?;
    // Rejected rows also say which of their values were not recognised.
    for p in &prepared {
        if let Some(reason) = rejected.get_mut(&p.row) {
            for w in &p.warnings {
                let w = w.trim_end_matches(" : valeur conservée telle quelle");
                if !reason.contains(w) {
                    reason.push_str(" ; ");
                    reason.push_str(w);
                }
            }
        }
    }

    let records_written = built.records.len() - unchanged;
    let load = if options.dry_run || changed.is_empty() {
        None
    } else {
        let mut batches = Vec::new();
        if stores.is_empty()? {
            batches.push(stores.model().batch());
        }
        batches.push(Batch {
            name: name.to_owned(),
            quads: changed,
            text: None,
        });
        let progress = options.progress.clone();
        Some(stores.load(batches, move |n| {
            if let Some(p) = &progress {
                p(Step::Writing(n));
            }
        })?)
    };

    let repeated: BTreeMap<usize, usize> = built.repeated.iter().copied().collect();
    let mut warnings = Vec::new();
    let mut with_warnings = 0;
    let mut imported = 0;
    for (i, p) in prepared.iter().enumerate() {
        if skip.contains(&i) {
            continue;
        }
        imported += 1;
        let mut messages = p.warnings.clone();
        if let Some(earlier) = repeated.get(&i) {
            messages.push(format!("répète la ligne {earlier} : ignorée"));
        }
        if !messages.is_empty() {
            with_warnings += 1;
        }
        warnings.extend(messages.into_iter().map(|message| RowMessage {
            row: p.row,
            message,
        }));
    }
    let rejected_rows: Vec<(usize, String)> = rejected.into_iter().collect();
    Ok(ImportReport {
        source: name.to_owned(),
        layout: table.layout,
        rows_read: table.rows.len(),
        imported,
        with_warnings,
        warnings,
        rejected: rejected_rows
            .iter()
            .map(|(row, message)| RowMessage {
                row: *row,
                message: message.clone(),
            })
            .collect(),
        notes: table.notes.clone(),
        organisations_created: built.created.len(),
        organisations_reused: built.reused.len(),
        records_written,
        records_unchanged: unchanged,
        dry_run: options.dry_run,
        load,
        table,
        rejected_rows,
    })
}

#[cfg(test)]
mod tests {
    use crate::fuzzing::CsvImport;
    use proptest::collection::vec;
    use proptest::prelude::*;
    use proptest::sample::select;
    use std::sync::LazyLock;

    static IMPORT: LazyLock<CsvImport> = LazyLock::new(CsvImport::new);

    /// The headers every file needs (`interconnectes::REQUIRED`), in the
    /// public export's names.
    const REQUIRED: &[&str] = &[
        "Nom_collectivite",
        "Nom_du_projet",
        "Description_service",
        "Date_de_demarrage",
        "Statut_du_projet",
        "Theme",
        "Audience",
    ];

    /// Headers of the three layouts, and others.
    const HEADERS: &[&str] = &[
        "Nom_collectivite",
        "Nom_du_projet",
        "SIRET",
        "Latitude",
        "Longitude",
        "Type_de_collectivite",
        "Date_de_demarrage",
        "Statut_du_projet",
        "status_abandon",
        "Partenaires",
        "projet_contact",
        "Description_service",
        "Theme",
        "Sous_Theme",
        "Audience",
        "URL_Service",
        "url_ressources",
        "Date_de_derniere_mise_a_jour",
        "coll_nom",
        "nom_projet",
        "projet_status",
        "date",
        "Intitulé",
        "motif_rejet",
        "",
        "\u{feff}Nom_du_projet",
    ];

    /// Cells, clean and dirty: SIRETs (valid, mistyped, scientific),
    /// dates, coordinates, partner lists, URLs, e-mails, list values.
    const CELLS: &[&str] = &[
        "",
        " ",
        "Lyon",
        "Métropole de Lyon",
        "Chatbot",
        "21690123100011",
        "35600000000048",
        "356000000",
        "1,23E+13",
        "12345",
        "01/02/2024",
        "2024",
        "13/2024",
        "29/02/2023",
        "2024-03-01T00:00:00",
        "45,76",
        "4.83°",
        "-",
        "--",
        "+",
        "Terminé",
        "Abandonné",
        "En cours",
        "Mobilités",
        "Agent, Élus",
        "Citoyenneté, santé et solidarité",
        "Orange-Inria-CNRS",
        "Aix-Marseille-Provence (co-financeur)",
        "aucun",
        "/",
        "en régie",
        "www.exemple.fr",
        "https://x.fr a",
        "mailto:a@b.fr; Jean (jean@x.fr)",
        "Commune",
        "a\u{a0}b",
        "\u{202f}",
        "é",
        "😀",
        "((",
        "))-",
    ];

    /// Pieces of broken CSV.
    const SYNTAX: &[&str] = &[
        ";", ",", "\t", "\"", "\"\"", "\n", "\r\n", "\r", "\u{feff}", " ",
    ];

    /// Starts of files: none, a UTF-8 BOM, half of one, a UTF-16 one.
    const BOMS: &[&[u8]] = &[b"", b"\xef\xbb\xbf", b"\xef\xbb", b"\xff\xfe"];

    /// A cell: up to three pieces, quoted or not, sometimes broken syntax.
    fn cell() -> impl Strategy<Value = String> {
        let text = vec(select(CELLS), 0..=3).prop_map(|p| p.concat());
        prop_oneof![
            6 => text.clone(),
            3 => text.prop_map(|c| format!("\"{}\"", c.replace('"', "\"\""))),
            1 => vec(select(SYNTAX), 0..=3).prop_map(|p| p.concat()),
        ]
    }

    /// A file of the network's layouts: most often the required headers
    /// in any order and a few others, then rows of cells; sometimes with a
    /// BOM, and sometimes a byte that is not UTF-8 (Windows-1252 or
    /// anything else).
    fn file() -> impl Strategy<Value = Vec<u8>> {
        let header = prop_oneof![
            3 => (
                Just(REQUIRED.to_vec()).prop_shuffle(),
                vec(select(HEADERS), 0..4),
            )
                .prop_map(|(mut h, more)| {
                    h.extend(more);
                    h
                }),
            1 => vec(select(HEADERS), 1..10),
        ];
        (
            select(&[";", ",", "\t"][..]),
            any::<bool>(),
            header,
            vec(
                (vec(cell(), 0..14), select(&["\n", "\r\n", "\r", ""][..])),
                0..6,
            ),
            proptest::option::weighted(
                0.15,
                (
                    any::<prop::sample::Index>(),
                    select(&[0xe9u8, 0x80, 0xff, 0xc3][..]),
                ),
            ),
        )
            .prop_map(|(delimiter, bom, header, rows, stray)| {
                let mut text = String::new();
                if bom {
                    text += "\u{feff}";
                }
                text += &header.join(delimiter);
                text += "\n";
                for (cells, end) in rows {
                    text += &cells.join(delimiter);
                    text += end;
                }
                let mut bytes = text.into_bytes();
                if let Some((at, byte)) = stray {
                    let at = at.index(bytes.len() + 1);
                    bytes.insert(at, byte);
                }
                bytes
            })
    }

    proptest! {
        #![proptest_config(crate::fuzzing::proptest_config())]

        #[test]
        fn files_of_the_networks_layouts_give_rows_and_rejected_rows_that_read_back(
            bytes in file(),
        ) {
            IMPORT.check(&bytes);
        }

        #[test]
        fn broken_csv_and_arbitrary_bytes_give_rows_or_a_message(
            bom in select(BOMS),
            soup in vec(select(SYNTAX).prop_union(select(HEADERS)).or(select(CELLS)), 0..40),
            bytes in vec(any::<u8>(), 0..200),
        ) {
            let mut text = bom.to_vec();
            text.extend(soup.concat().into_bytes());
            IMPORT.check(&text);
            IMPORT.check(&bytes);
        }
    }
}

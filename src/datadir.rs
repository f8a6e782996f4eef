//! The data directory as a whole: the version of its layout, written in its
//! `FORMAT` file, and the wording of the failures that concern it (a full
//! disk, a file that is not what bibia wrote).
//!
//! `FORMAT` holds a few lines of text:
//!
//! ```text
//! # Dossier de données de bibia : ne pas modifier à la main.
//! format 1
//! bibia 0.1.0
//! ```
//!
//! `format` is the version of the layout this module describes
//! ([`LAYOUT`]); `bibia` the version of the program that wrote the file,
//! only to be quoted in messages. The layout is what the files of the
//! directory are and how they are encoded: the two RocksDB stores `full/`
//! and `public/` (oxigraph's storage version 2), the marker
//! `public/PROJECTION`, the key `etiquettes.cle`, the accounts
//! `comptes/comptes.json`, the derived `search/` and `dumps/`. A change to
//! any of them that an older bibia could not read, or that this one could
//! not read from an older directory, takes a new number.
//!
//! The file is checked before anything else in the directory is opened, so a
//! directory of another layout is refused with nothing modified. A
//! directory without the file but with a store was made by a build of bibia
//! older than the file: it is of layout 1 and gets its file once opened.

use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The layout version this build reads and writes.
pub const LAYOUT: u32 = 1;

/// The name of the file, in the data directory.
pub const FILE: &str = "FORMAT";

/// Why a data directory is not opened.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LayoutError {
    /// The directory was written by a bibia of another layout.
    #[error(
        "le dossier de données {dir} est au format {found}{by}, cette version de bibia ({ours}) lit le format {LAYOUT} : {advice} Rien n'a été modifié.",
        dir = dir.display(),
        by = written_by.as_ref().map(|v| format!(" (écrit par bibia {v})")).unwrap_or_default(),
        ours = env!("CARGO_PKG_VERSION"),
        advice = if *found > LAYOUT {
            "mettez bibia à jour, ou, avec la version qui l'a écrit, exportez toutes les données (`bibia export --full --format nq`) et chargez-les avec celle-ci dans un dossier neuf (`bibia load`)."
        } else {
            "avec la version qui l'a écrit, exportez toutes les données (`bibia export --full --format nq`), puis chargez-les avec celle-ci dans un dossier neuf (`bibia load`)."
        }
    )]
    Other {
        /// The data directory.
        dir: PathBuf,
        /// The layout its file declares.
        found: u32,
        /// The version of bibia that wrote it, when the file says.
        written_by: Option<String>,
    },
    /// The file is there but says no layout bibia knows how to read.
    #[error(
        "{path} est illisible ({detail}) : ce fichier dit dans quel format est le dossier de données, et sans lui bibia n'ouvre pas le dossier. S'il vient bien de cette version de bibia, remettez-y les lignes « format {LAYOUT} » et « bibia {ours} » ; rien n'a été modifié.",
        path = path.display(),
        ours = env!("CARGO_PKG_VERSION")
    )]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        detail: String,
    },
    /// The file could not be read or written.
    #[error("{}", io_message(path, source))]
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
}

/// What [`check`] found in a directory of the current layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    /// Its `FORMAT` file names this layout.
    Stamped,
    /// No `FORMAT` file, but a store: made by an older build (layout 1).
    Unstamped,
    /// No `FORMAT` file and no store: new (or holding only accounts).
    New,
}

/// Checks the layout of `dir` without changing anything.
pub fn check(dir: &Path) -> Result<Found, LayoutError> {
    let path = dir.join(FILE);
    let text = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(if dir.join("full").join("CURRENT").exists() {
                Found::Unstamped
            } else {
                Found::New
            });
        }
        Err(source) => return Err(LayoutError::Io { path, source }),
    };
    let unreadable = |detail: &str| LayoutError::Unreadable {
        path: path.clone(),
        detail: detail.to_owned(),
    };
    let text = String::from_utf8(text).map_err(|_| unreadable("pas du texte UTF-8"))?;
    let mut found = None;
    let mut written_by = None;
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match line.split_once(char::is_whitespace) {
            Some(("format", n)) => {
                found = Some(n.trim().parse::<u32>().map_err(|_| {
                    unreadable(&format!("« format {} » n'est pas un nombre", n.trim()))
                })?);
            }
            Some(("bibia", v)) => written_by = Some(v.trim().to_owned()),
            _ => {
                let shown: String = line.chars().take(40).collect();
                return Err(unreadable(&format!("ligne inattendue « {shown} »")));
            }
        }
    }
    match found {
        None => Err(unreadable("aucune ligne « format N »")),
        Some(LAYOUT) => Ok(Found::Stamped),
        Some(found) => Err(LayoutError::Other {
            dir: dir.to_owned(),
            found,
            written_by,
        }),
    }
}

/// Writes the `FORMAT` file of this layout into `dir` (a temporary file
/// synced, then renamed over it).
pub fn stamp(dir: &Path) -> Result<(), LayoutError> {
    let path = dir.join(FILE);
    let io = |source| LayoutError::Io {
        path: path.clone(),
        source,
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".FORMAT.")
        .tempfile_in(dir)
        .map_err(io)?;
    write!(
        tmp,
        "# Dossier de données de bibia : ne pas modifier à la main.\nformat {LAYOUT}\nbibia {}\n",
        env!("CARGO_PKG_VERSION")
    )
    .and_then(|()| tmp.as_file().sync_all())
    .map_err(io)?;
    tmp.persist(&path).map_err(|e| io(e.error))?;
    Ok(())
}

/// Whether an I/O error says the disk (or the user's quota) is full.
pub fn is_disk_full(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded
    ) || e.raw_os_error() == Some(28)
}

/// The French message of an I/O error on `path`: a full disk said in
/// words, with what to do; anything else as the system said it.
pub fn io_message(path: &Path, e: &std::io::Error) -> String {
    if is_disk_full(e) {
        format!("{} : {}", path.display(), DISK_FULL)
    } else {
        format!("{} : {e}", path.display())
    }
}

/// What a full disk is called, and what to do about it.
pub const DISK_FULL: &str = "disque plein (plus de place pour écrire) ; rien n'a été écrit à moitié : libérez de la place, puis recommencez";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_directory_is_new_then_stamped() {
        let dir = tempfile::tempdir().expect("temp dir");
        assert_eq!(check(dir.path()).expect("checks"), Found::New);
        stamp(dir.path()).expect("stamps");
        assert_eq!(check(dir.path()).expect("checks"), Found::Stamped);
        let text = std::fs::read_to_string(dir.path().join(FILE)).expect("reads");
        assert!(text.contains(&format!("format {LAYOUT}\n")), "{text}");
    }

    #[test]
    fn another_layout_is_refused_with_what_was_found_and_what_to_do() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join(FILE), "format 7\nbibia 9.0.0\n").expect("writes");
        let e = check(dir.path()).expect_err("refused").to_string();
        assert!(
            e.contains("format 7")
                && e.contains("bibia 9.0.0")
                && e.contains("mettez bibia à jour"),
            "{e}"
        );
        std::fs::write(dir.path().join(FILE), "format 0\n").expect("writes");
        let e = check(dir.path()).expect_err("refused").to_string();
        assert!(e.contains("format 0") && e.contains("bibia load"), "{e}");
    }

    #[test]
    fn a_garbled_stamp_is_refused_naming_the_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        for garbage in [
            &b"\xff\xfe\x00"[..],
            b"format un\n",
            b"",
            b"n'importe quoi\n",
        ] {
            std::fs::write(dir.path().join(FILE), garbage).expect("writes");
            let e = check(dir.path()).expect_err("refused").to_string();
            assert!(e.contains("FORMAT est illisible"), "{e}");
        }
    }

    #[test]
    fn a_full_disk_is_said_in_words() {
        let e = std::io::Error::from_raw_os_error(28);
        let message = io_message(Path::new("/d/comptes/comptes.json"), &e);
        assert!(
            message.starts_with("/d/comptes/comptes.json : disque plein"),
            "{message}"
        );
    }
}

//! The accounts file on disk: `{data}/comptes/comptes.json`, mode 0600 in a
//! folder 0700, replaced whole (temporary file, fsync, rename) under an
//! exclusive lock on `comptes.lock`, and the stamp that tells a reader it
//! changed.

use super::AccountError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fs::File;
use std::io::{BufWriter, ErrorKind, Read as _, Write as _};
use std::os::unix::fs::{
    DirBuilderExt as _, MetadataExt as _, OpenOptionsExt as _, PermissionsExt as _,
};
use std::path::{Path, PathBuf};

/// The folder of the accounts, under the data directory.
pub(super) const DIR: &str = "comptes";
/// The accounts file, in [`DIR`].
const FILE: &str = "comptes.json";
/// The lock file, in [`DIR`].
const LOCK: &str = "comptes.lock";
/// The version of the file's layout this code reads and writes.
const VERSION: u32 = 1;

/// Everything the file holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Data {
    /// The layout's version ([`VERSION`]).
    pub(super) version: u32,
    /// The accounts, sorted by log-in.
    #[serde(default)]
    pub(super) users: Vec<User>,
    /// The API tokens, oldest first.
    #[serde(default)]
    pub(super) tokens: Vec<Token>,
    /// The IRIs of the organisations whose contributors publish without
    /// moderation.
    #[serde(default)]
    pub(super) trusted: BTreeSet<String>,
}

impl Default for Data {
    fn default() -> Self {
        Self {
            version: VERSION,
            users: Vec::new(),
            tokens: Vec::new(),
            trusted: BTreeSet::new(),
        }
    }
}

/// One account as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct User {
    /// The log-in (an e-mail address, lowercased).
    pub(super) login: String,
    /// The person's name.
    pub(super) name: String,
    /// What the account may do.
    pub(super) role: super::Role,
    /// A contributor's organisation (IRI); `None` for a moderator.
    pub(super) organisation: Option<String>,
    /// The Argon2id PHC string of the password.
    pub(super) password: String,
    /// A disabled account neither logs in nor uses its tokens.
    #[serde(default)]
    pub(super) disabled: bool,
    /// When it was created (RFC 3339, UTC).
    pub(super) created: String,
}

/// One API token as stored: its secret only as a hash.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Token {
    /// The public identifier, 8 hexadecimal digits (also in the secret).
    pub(super) id: String,
    /// SHA-256 of the whole secret, in hexadecimal.
    pub(super) hash: String,
    /// The account it acts for.
    pub(super) login: String,
    /// What it is for, in the words of whoever made it.
    #[serde(default)]
    pub(super) label: String,
    /// When it was created (RFC 3339, UTC).
    pub(super) created: String,
    /// When it was revoked, if it was.
    #[serde(default)]
    pub(super) revoked: Option<String>,
}

/// What identifies one version of the file: each write renames a new file
/// over the old one, so its inode changes along with its size and time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Stamp {
    dev: u64,
    ino: u64,
    len: u64,
    mtime: i64,
    mtime_nsec: i64,
    ctime: i64,
    ctime_nsec: i64,
}

impl Stamp {
    fn of(meta: &std::fs::Metadata) -> Self {
        Self {
            dev: meta.dev(),
            ino: meta.ino(),
            len: meta.len(),
            mtime: meta.mtime(),
            mtime_nsec: meta.mtime_nsec(),
            ctime: meta.ctime(),
            ctime_nsec: meta.ctime_nsec(),
        }
    }
}

/// The accounts folder of one data directory.
#[derive(Debug)]
pub(super) struct Folder {
    dir: PathBuf,
    file: PathBuf,
}

/// An I/O error on `path`.
fn io(path: &Path) -> impl FnOnce(std::io::Error) -> AccountError + '_ {
    move |source| AccountError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Narrows the permissions of `path` to `mode` if they are wider.
fn restrict(path: &Path, meta: &std::fs::Metadata, mode: u32) -> Result<(), AccountError> {
    if meta.permissions().mode() & 0o777 & !mode != 0 {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).map_err(io(path))?;
    }
    Ok(())
}

impl Folder {
    /// The folder `{data_dir}/comptes`, made (mode 0700) if missing; a
    /// folder or file readable by others is narrowed to its owner.
    pub(super) fn open(data_dir: &Path) -> Result<Self, AccountError> {
        let dir = data_dir.join(DIR);
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&dir)
            .map_err(io(&dir))?;
        let meta = std::fs::metadata(&dir).map_err(io(&dir))?;
        restrict(&dir, &meta, 0o700)?;
        let file = dir.join(FILE);
        match std::fs::metadata(&file) {
            Ok(meta) => restrict(&file, &meta, 0o600)?,
            Err(e) if e.kind() == ErrorKind::NotFound => {}
            Err(e) => return Err(io(&file)(e)),
        }
        Ok(Self { dir, file })
    }

    /// The accounts file.
    pub(super) fn path(&self) -> &Path {
        &self.file
    }

    /// The stamp of the file as it is now; `None` while there is none.
    pub(super) fn stamp(&self) -> Result<Option<Stamp>, AccountError> {
        match std::fs::metadata(&self.file) {
            Ok(meta) => Ok(Some(Stamp::of(&meta))),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io(&self.file)(e)),
        }
    }

    /// Reads the file (no file: no accounts yet) with the stamp of what was
    /// read. Never panics on a damaged file: the error names it, with the
    /// line and column.
    pub(super) fn read(&self) -> Result<(Data, Option<Stamp>), AccountError> {
        let mut file = match File::open(&self.file) {
            Ok(file) => file,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok((Data::default(), None)),
            Err(e) => return Err(io(&self.file)(e)),
        };
        // The file is never written in place, so what this handle reads
        // is the version its metadata describes.
        let stamp = Stamp::of(&file.metadata().map_err(io(&self.file))?);
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(io(&self.file))?;
        let data: Data = serde_json::from_slice(&bytes).map_err(|e| {
            let (line, column) = (e.line(), e.column());
            let message = e.to_string();
            let message = message
                .strip_suffix(&format!(" at line {line} column {column}"))
                .unwrap_or(&message)
                .to_owned();
            AccountError::Corrupt {
                path: self.file.clone(),
                line,
                column,
                message,
            }
        })?;
        if data.version != VERSION {
            return Err(AccountError::Version {
                path: self.file.clone(),
                version: data.version,
            });
        }
        Ok((data, Some(stamp)))
    }

    /// Takes the exclusive lock of the accounts, held until the returned
    /// file is dropped (waits for another writer, in this process or any
    /// other, to finish).
    pub(super) fn lock(&self) -> Result<File, AccountError> {
        let path = self.dir.join(LOCK);
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .mode(0o600)
            .open(&path)
            .map_err(io(&path))?;
        file.lock().map_err(io(&path))?;
        Ok(file)
    }

    /// Replaces the file with `data`: a temporary file (mode 0600) in the
    /// same folder, flushed to disk, renamed over the old one, the folder
    /// flushed too. A reader sees the old file or the new one, never half
    /// of one. Call with the lock held.
    pub(super) fn write(&self, data: &Data) -> Result<Option<Stamp>, AccountError> {
        let tmp = tempfile::Builder::new()
            .prefix(".comptes-")
            .suffix(".json")
            .permissions(std::fs::Permissions::from_mode(0o600))
            .tempfile_in(&self.dir)
            .map_err(io(&self.dir))?;
        let mut out = BufWriter::new(tmp.as_file());
        serde_json::to_writer_pretty(&mut out, data)
            .map_err(std::io::Error::from)
            .and_then(|()| out.write_all(b"\n"))
            .and_then(|()| out.flush())
            .map_err(io(tmp.path()))?;
        drop(out);
        tmp.as_file().sync_all().map_err(io(tmp.path()))?;
        tmp.persist(&self.file)
            .map_err(|e| io(&self.file)(e.error))?;
        File::open(&self.dir)
            .and_then(|dir| dir.sync_all())
            .map_err(io(&self.dir))?;
        self.stamp()
    }
}

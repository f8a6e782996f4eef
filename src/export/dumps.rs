//! The dumps of the public data (`/dumps/`): the whole projection as
//! gzipped N-Quads (with its record graphs) and gzipped Turtle (the union
//! of the graphs), for harvesters, QLever, Virtuoso or a notebook.
//!
//! The files live in a folder of their own (`{data}/dumps/`) and are made
//! again when the data change: each is written to a temporary file, synced,
//! then renamed over the old one, so a reader never sees half a file, and a
//! download that has opened the old file goes on reading it to the end. A
//! small description (`bibia-dumps.json`: the data version, each file's size
//! and SHA-256) lets a restart without any write in between keep the files.

use crate::store::{DataVersion, PublicStore, StoreError};
use oxigraph::io::RdfFormat;
use serde::{Deserialize, Serialize};
use sha2::Digest as _;
use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime};

/// One kind of dump.
#[derive(Debug, Clone, Copy)]
pub struct DumpKind {
    /// The file's name (also the last segment of its URL).
    pub name: &'static str,
    /// The format of the data once decompressed.
    pub format: RdfFormat,
    /// The media type of the data once decompressed (`dcat:mediaType`).
    pub media_type: &'static str,
    /// What it is, in French.
    pub title: &'static str,
}

/// The dumps made, in the order they are listed.
pub const DUMPS: [DumpKind; 2] = [
    DumpKind {
        name: "bibia.nq.gz",
        format: RdfFormat::NQuads,
        media_type: "application/n-quads",
        title: "Données publiques en N-Quads compressé (gzip), avec le graphe de chaque fiche",
    },
    DumpKind {
        name: "bibia.ttl.gz",
        format: RdfFormat::Turtle,
        media_type: "text/turtle",
        title: "Données publiques en Turtle compressé (gzip), tous graphes réunis",
    },
];

/// The media type of the files themselves.
pub const GZIP: &str = "application/gzip";

const DESCRIPTION: &str = "bibia-dumps.json";

/// One dump file as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DumpFile {
    /// Its name, one of [`DUMPS`].
    pub name: String,
    /// Its size in bytes.
    pub size: u64,
    /// The SHA-256 of its bytes, in hexadecimal.
    pub sha256: String,
}

impl DumpFile {
    /// What kind of dump it is.
    pub fn kind(&self) -> Option<&'static DumpKind> {
        DUMPS.iter().find(|d| d.name == self.name)
    }
}

/// The files made for one version of the data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DumpSet {
    /// The data version's generation.
    pub generation: u64,
    /// When the data last changed, in nanoseconds since 1970.
    modified_ns: u128,
    /// The files, in the order of [`DUMPS`].
    pub files: Vec<DumpFile>,
}

impl DumpSet {
    /// When the data it holds last changed.
    pub fn modified(&self) -> SystemTime {
        let ns = u64::try_from(self.modified_ns).unwrap_or(u64::MAX);
        SystemTime::UNIX_EPOCH + Duration::from_nanos(ns)
    }

    fn is_of(&self, version: DataVersion) -> bool {
        self.generation == version.generation && self.modified_ns == nanos(version.modified)
    }
}

/// Why the dumps could not be made or read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DumpError {
    /// Reading the projection failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A file of the dumps' folder could not be written or read.
    #[error(
        "fichier de téléchargement {}",
        crate::datadir::io_message(path, source)
    )]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
}

/// The dumps' folder, and the set of files made for the latest version.
#[derive(Debug)]
pub struct Dumps {
    dir: PathBuf,
    current: Mutex<Option<DumpSet>>,
}

/// Passes over the data before a dump is kept although the data changed
/// meanwhile (see [`Dumps::write_all`]).
const MAX_PASSES: u32 = 3;

impl Dumps {
    /// The dumps kept in `dir` (created when first written).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            current: Mutex::new(None),
        }
    }

    /// The folder of the files.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The files for the projection's current version, made first when
    /// they are missing or older. One call makes them at a time; the
    /// others wait for it rather than read a version about to be replaced.
    pub fn current(&self, store: &PublicStore) -> Result<DumpSet, DumpError> {
        self.with_current(store, |set| Ok(set.clone()))
    }

    /// Opens the file `name` of the current version, with its description
    /// (`None` when no dump has that name). The file is opened before any
    /// newer version can replace it, so what is read matches the
    /// description.
    pub fn open(
        &self,
        store: &PublicStore,
        name: &str,
    ) -> Result<Option<(DumpSet, DumpFile, File)>, DumpError> {
        self.with_current(store, |set| {
            let Some(file) = set.files.iter().find(|f| f.name == name) else {
                return Ok(None);
            };
            let path = self.dir.join(name);
            let opened = File::open(&path).map_err(|source| DumpError::Io { path, source })?;
            Ok(Some((set.clone(), file.clone(), opened)))
        })
    }

    fn with_current<T>(
        &self,
        store: &PublicStore,
        then: impl FnOnce(&DumpSet) -> Result<T, DumpError>,
    ) -> Result<T, DumpError> {
        let mut current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        let version = store.version();
        if current.as_ref().is_none_or(|set| !set.is_of(version)) {
            *current = None;
            let kept = self
                .read_description()
                .filter(|set| set.is_of(version) && self.intact(set));
            let set = match kept {
                Some(set) => set,
                None => self.write_all(store)?,
            };
            *current = Some(set);
        }
        match current.as_ref() {
            Some(set) => then(set),
            None => unreachable!("the set was just made"),
        }
    }

    /// Writes every file, then their description; again if the data
    /// changed meanwhile, so that the files hold one version.
    /// Removes the temporary files a process killed while dumping left
    /// behind. Only for the one process that holds the store (`serve` at
    /// start): another's dump in progress would lose its file.
    pub fn remove_leftovers(&self) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with(".bibia") && name.ends_with(".tmp") {
                match std::fs::remove_file(entry.path()) {
                    Ok(()) => tracing::info!("fichier temporaire abandonné supprimé : {name}"),
                    Err(e) => tracing::warn!("{name} : suppression impossible : {e}"),
                }
            }
        }
    }

    fn write_all(&self, store: &PublicStore) -> Result<DumpSet, DumpError> {
        std::fs::create_dir_all(&self.dir).map_err(|source| DumpError::Io {
            path: self.dir.clone(),
            source,
        })?;
        for attempt in 1.. {
            let version = store.version();
            let started = std::time::Instant::now();
            let mut files = Vec::new();
            for kind in &DUMPS {
                files.push(self.write_one(store, kind)?);
            }
            // The data changed while dumping: once more, so that both files
            // hold one version. Past a few passes (writes keep coming faster
            // than a pass), the files are kept under the version they began
            // from, so that downloads never wait for ever; the next request
            // after the writes makes them again.
            if store.version() != version && attempt < MAX_PASSES {
                continue;
            }
            let set = DumpSet {
                generation: version.generation,
                modified_ns: nanos(version.modified),
                files,
            };
            let json = serde_json::to_vec_pretty(&set).unwrap_or_default();
            self.replace(DESCRIPTION, |w| w.write_all(&json))?;
            tracing::info!(
                "téléchargements refaits en {:.1} s : {}",
                started.elapsed().as_secs_f64(),
                set.files
                    .iter()
                    .map(|f| format!("{} ({} octets)", f.name, f.size))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            return Ok(set);
        }
        unreachable!("an unbounded range always yields")
    }

    fn write_one(&self, store: &PublicStore, kind: &DumpKind) -> Result<DumpFile, DumpError> {
        let mut failure = None;
        let (size, sha256) = self
            .replace(kind.name, |w| {
                let gz = flate2::write::GzEncoder::new(w, flate2::Compression::default());
                match store.write(kind.format, gz) {
                    Ok(gz) => gz.finish().map(drop),
                    Err(e) => {
                        let message = e.to_string();
                        failure = Some(e);
                        Err(io::Error::other(message))
                    }
                }
            })
            .map_err(|e| match failure.take() {
                Some(store) => DumpError::Store(store),
                None => e,
            })?;
        Ok(DumpFile {
            name: kind.name.to_owned(),
            size,
            sha256,
        })
    }

    /// Writes `name` through a temporary file renamed over it once synced;
    /// returns the size and SHA-256 of what was written.
    fn replace(
        &self,
        name: &str,
        fill: impl FnOnce(&mut Hashing<tempfile::NamedTempFile>) -> io::Result<()>,
    ) -> Result<(u64, String), DumpError> {
        let path = self.dir.join(name);
        let io = |path: &Path| {
            let path = path.to_owned();
            move |source| DumpError::Io { path, source }
        };
        // A name of its own for each write (two services on one folder,
        // or two test apps on one store, never share a temporary file);
        // dropped, it is removed.
        let tmp = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(".tmp")
            .tempfile_in(&self.dir)
            .map_err(io(&self.dir))?;
        let mut out = Hashing {
            inner: tmp,
            hash: sha2::Sha256::new(),
            size: 0,
        };
        // Readable by all, as files published for anyone to download
        // (a temporary file is made for its owner only).
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let readable = std::fs::Permissions::from_mode(0o644);
            std::fs::set_permissions(out.inner.path(), readable).map_err(io(out.inner.path()))?;
        }
        fill(&mut out)
            .and_then(|()| out.inner.flush())
            .and_then(|()| out.inner.as_file().sync_all())
            .map_err(io(out.inner.path()))?;
        out.inner.persist(&path).map_err(|e| io(&path)(e.error))?;
        let sha256 = out
            .hash
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Ok((out.size, sha256))
    }

    /// Whether the files of `set` hold what was written (their SHA-256): a
    /// damaged file is made again rather than served.
    fn intact(&self, set: &DumpSet) -> bool {
        set.files.iter().all(|f| {
            let path = self.dir.join(&f.name);
            let mut hash = Hashing {
                inner: io::sink(),
                hash: sha2::Sha256::new(),
                size: 0,
            };
            let read = File::open(&path).and_then(|mut file| io::copy(&mut file, &mut hash));
            let same = read.is_ok()
                && hash
                    .hash
                    .finalize()
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect::<String>()
                    == f.sha256;
            if !same {
                tracing::warn!(
                    "fichier de téléchargement {} abîmé (son empreinte SHA-256 n'est plus celle écrite) : les fichiers sont refaits",
                    path.display()
                );
            }
            same
        })
    }

    /// The description left by an earlier run, when its files are still
    /// there with their sizes.
    fn read_description(&self) -> Option<DumpSet> {
        let path = self.dir.join(DESCRIPTION);
        let bytes = std::fs::read(&path).ok()?;
        let Ok(set) = serde_json::from_slice::<DumpSet>(&bytes) else {
            tracing::warn!(
                "description des fichiers de téléchargement {} illisible : les fichiers sont refaits",
                path.display()
            );
            return None;
        };
        let complete = set.files.len() == DUMPS.len()
            && set.files.iter().all(|f| {
                f.kind().is_some()
                    && std::fs::metadata(self.dir.join(&f.name)).is_ok_and(|m| m.len() == f.size)
            });
        if !complete {
            tracing::warn!(
                "fichiers de téléchargement de {} incomplets : ils sont refaits",
                self.dir.display()
            );
        }
        complete.then_some(set)
    }
}

/// A writer that counts and hashes what goes through it.
struct Hashing<W> {
    inner: W,
    hash: sha2::Sha256,
    size: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

fn nanos(t: SystemTime) -> u128 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}

//! What the service publishes for harvesters and other tools, built from
//! the public projection only: the use cases in the network's public CSV
//! layout ([`projets_csv`]), the sitemap of every page ([`sitemap`]) and the
//! dumps of the whole projection ([`dumps`], files on disk). Each returns
//! bytes, data or files; the HTTP layer (`http/export.rs`) serves them.

pub mod dumps;
pub mod projets_csv;
pub mod sitemap;

pub use dumps::{DUMPS, DumpError, DumpFile, DumpKind, DumpSet, Dumps};
pub use projets_csv::{COLUMNS, projets_csv};
pub use sitemap::{MAX_URLS, Sitemap, robots};

use crate::store::StoreError;

/// Why an export could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    /// Reading the projection failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Writing the CSV failed (in memory: a bug).
    #[error("écriture du CSV impossible : {0}")]
    Csv(#[from] csv::Error),
}

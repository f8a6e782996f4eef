//! What the service publishes for harvesters and other tools, built from
//! the public projection only: the use cases in the network's public CSV
//! layout ([`projets_csv`]) and the sitemap of every page ([`sitemap`]).
//! Each function returns bytes or data; the HTTP layer (`http/export.rs`)
//! serves them through the page cache.

pub mod projets_csv;
pub mod sitemap;

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

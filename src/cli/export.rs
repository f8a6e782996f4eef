//! `bibia export`: stream the public projection (or everything) to a file
//! or standard output, gzip when the file name ends in `.gz`.

use super::Outcome;
use super::args::ExportFormat;
use crate::store::Stores;
use flate2::{Compression, write::GzEncoder};
use oxigraph::io::{JsonLdProfileSet, RdfFormat};
use std::io::{BufWriter, Write};
use std::path::Path;

pub(crate) fn run(
    stores: &Stores,
    format: ExportFormat,
    full: bool,
    output: Option<&Path>,
) -> anyhow::Result<Outcome> {
    let format = match format {
        ExportFormat::Nq => RdfFormat::NQuads,
        ExportFormat::Trig => RdfFormat::TriG,
        ExportFormat::Ttl => RdfFormat::Turtle,
        ExportFormat::Nt => RdfFormat::NTriples,
        ExportFormat::Jsonld => RdfFormat::JsonLd {
            profile: JsonLdProfileSet::empty(),
        },
    };
    if full {
        eprintln!(
            "Attention : export complet, données restreintes comprises. Ne publiez pas ce fichier."
        );
    }
    match output {
        None => {
            let out = stores.export(format, full, BufWriter::new(std::io::stdout().lock()))?;
            out.into_inner().map_err(|e| e.into_error())?.flush()?;
        }
        Some(path) => {
            // Written beside the target, then renamed over it: a reader never
            // sees half a dump, and a failed export leaves nothing behind.
            let dir = path
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            let tmp = tempfile::Builder::new()
                .prefix(".bibia-export-")
                .tempfile_in(dir)?;
            if path.extension().is_some_and(|e| e == "gz") {
                let gz = stores.export(
                    format,
                    full,
                    GzEncoder::new(BufWriter::new(tmp.as_file()), Compression::default()),
                )?;
                gz.finish()?.flush()?;
            } else {
                stores
                    .export(format, full, BufWriter::new(tmp.as_file()))?
                    .flush()?;
            }
            tmp.as_file().sync_all()?;
            tmp.persist(path)?;
            eprintln!("Export écrit dans {}", path.display());
        }
    }
    Ok(Outcome::Success)
}

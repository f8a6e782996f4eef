//! `bibia generate`: a deterministic synthetic graph for benchmarks.

use super::Outcome;
use crate::config::base_or_local;
use crate::model::Model;
use flate2::{Compression, write::GzEncoder};
use std::io::{BufWriter, Write};
use std::path::Path;

pub(crate) fn run(projects: usize, seed: u64, output: &Path) -> anyhow::Result<Outcome> {
    let base = base_or_local(None, None)?;
    let model = Model::bundled(&base)?;
    let file = BufWriter::new(std::fs::File::create(output)?);
    let triples = if output.extension().is_some_and(|e| e == "gz") {
        let mut gz = GzEncoder::new(file, Compression::fast());
        let n = crate::generate::generate(&model, &base, projects, seed, &mut gz)?;
        gz.finish()?.flush()?;
        n
    } else {
        let mut file = file;
        let n = crate::generate::generate(&model, &base, projects, seed, &mut file)?;
        file.flush()?;
        n
    };
    eprintln!(
        "{triples} triplets ({projects} cas d'usage) écrits dans {}",
        output.display()
    );
    Ok(Outcome::Success)
}

//! What an empty store receives: the bundled model (ontology and
//! vocabularies), the reference territories and the fictitious demo data,
//! all validated like any other write (the store's `Stores::seed` loads it).

use super::{Batch, Model, bundle, parse_group};
use crate::iri::BaseIri;
use crate::rdf::ReadError;

/// Which bundled data to load besides the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seed {
    /// Régions, départements, EPCI and communes.
    pub reference: bool,
    /// The fictitious demo data.
    pub demo: bool,
}

/// The batches of a seed (the model first).
pub fn batches(model: &Model, base: &BaseIri, seed: Seed) -> Result<Vec<Batch>, ReadError> {
    let mut batches = vec![model.batch()];
    if seed.reference {
        batches.push(Batch {
            name: "territoires de référence".into(),
            quads: parse_group(bundle::REFERENCE, base)?,
            text: None,
        });
    }
    if seed.demo {
        batches.push(Batch {
            name: "données de démonstration".into(),
            quads: parse_group(bundle::DEMO, base)?,
            text: None,
        });
    }
    Ok(batches)
}

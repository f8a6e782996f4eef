//! What an empty store receives: the bundled model (ontology and
//! vocabularies), the reference territories and the fictitious demo data,
//! all validated like any other write.

use crate::bundle;
use crate::model::parse_group;
use crate::rdf::ReadError;
use crate::store::{Batch, LoadError, LoadSummary, Stores};

/// Which bundled data to load besides the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seed {
    /// Régions, départements, EPCI and communes.
    pub reference: bool,
    /// The fictitious demo data.
    pub demo: bool,
}

/// The bundled ontology and vocabularies as one batch.
pub fn model_batch(stores: &Stores) -> Batch {
    Batch {
        name: "modèle bibia (ontologie et vocabulaires)".into(),
        quads: stores.model().quads.clone(),
        text: None,
    }
}

/// The batches of a seed (the model first).
pub fn batches(stores: &Stores, seed: Seed) -> Result<Vec<Batch>, ReadError> {
    let mut batches = vec![model_batch(stores)];
    if seed.reference {
        batches.push(Batch {
            name: "territoires de référence".into(),
            quads: parse_group(bundle::REFERENCE, stores.base())?,
            text: None,
        });
    }
    if seed.demo {
        batches.push(Batch {
            name: "données de démonstration".into(),
            quads: parse_group(bundle::DEMO, stores.base())?,
            text: None,
        });
    }
    Ok(batches)
}

/// Loads a seed into the store in one validated, atomic write.
pub fn load(stores: &Stores, seed: Seed) -> Result<LoadSummary, SeedError> {
    Ok(stores.load(batches(stores, seed)?, |_| ())?)
}

/// The bundled data could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SeedError {
    /// A bundled file did not parse.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// Validation or storage failed.
    #[error(transparent)]
    Load(#[from] LoadError),
}

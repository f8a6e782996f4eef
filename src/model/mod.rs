//! The data model bundled in the binary: ontology, vocabularies and shapes,
//! parsed once against the deployment's base IRI and compiled for
//! validation. Every write is checked against it.
//!
//! The model owns the facts every other module reads: the bundled files
//! ([`bundle`]), the access policy ([`AccessPolicy`]), the rule that puts
//! triples in record graphs ([`assign_graphs`]), the index of the concept
//! schemes ([`ConceptSchemes`]), what an empty store receives
//! ([`seed`]) and the bundled files as graphs for their documentation
//! ([`Sources`]). It never imports the store: the store reads it.

mod access;
pub mod bundle;
mod concepts;
mod graph;
mod graphs;
mod layout;
pub mod seed;

pub use access::{AccessPolicy, owners};
pub use concepts::{Concept, ConceptSchemes};
pub(crate) use graph::{as_node, french, in_language, list, number};
pub(crate) use graphs::GraphAssigner;
pub use graphs::assign_graphs;
pub use layout::{Group, Layout, Place};

use crate::iri::BaseIri;
use crate::rdf::{self, ReadError};
use crate::shacl::{Shapes, ShapesError};
use oxrdf::{Graph, GraphName, Quad, Triple};
use std::path::Path;

/// The model could not be read or compiled.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    /// A bundled or given file did not parse.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The shapes are malformed.
    #[error("formes SHACL invalides : {0}")]
    Shapes(#[from] ShapesError),
}

/// Ontology, vocabularies, access policy and compiled shapes.
#[derive(Debug)]
pub struct Model {
    /// Compiled shapes used to validate every write.
    pub shapes: Shapes,
    /// Ontology and vocabulary quads, each in its record graph; also the
    /// context every validation sees (types, concept schemes).
    pub quads: Vec<Quad>,
    /// Which properties may be published.
    pub policy: AccessPolicy,
    /// The concept schemes of the vocabularies.
    pub concepts: ConceptSchemes,
    /// How records are laid out for people (groups and order of fields).
    pub layout: Layout,
    /// The shapes as a graph, for what reads their non-validating parts
    /// (the layout, the contribution forms).
    pub shapes_graph: Graph,
}

impl Model {
    /// The model embedded at build time, resolved against `base`.
    pub fn bundled(base: &BaseIri) -> Result<Self, ModelError> {
        Self::build(base, &parse_group(bundle::SHAPES, base)?)
    }

    /// The embedded ontology and vocabularies with other shapes (for `bibia
    /// validate --shapes`).
    pub fn with_shapes(base: &BaseIri, shapes: &[std::path::PathBuf]) -> Result<Self, ModelError> {
        let mut quads = Vec::new();
        for path in shapes {
            quads.extend(rdf::read_file(path, base.as_str())?);
        }
        Self::build(base, &quads)
    }

    fn build(base: &BaseIri, shapes: &[Quad]) -> Result<Self, ModelError> {
        let shapes_graph: Graph = shapes.iter().map(|q| Triple::from(q.clone())).collect();
        let shapes = Shapes::compile(&shapes_graph)?;
        let layout = Layout::from_shapes(&shapes_graph);
        let mut quads = parse_group(bundle::ONTOLOGY, base)?;
        let ontology: Graph = quads.iter().map(|q| Triple::from(q.clone())).collect();
        quads.extend(parse_group(bundle::VOCABULARIES, base)?);
        let quads = assign_graphs(quads, base, "modele");
        let policy = AccessPolicy::from_ontology(&ontology);
        let concepts = ConceptSchemes::from_quads(&quads);
        Ok(Self {
            shapes,
            quads,
            policy,
            concepts,
            layout,
            shapes_graph,
        })
    }

    /// The ontology and vocabularies as one batch to load.
    pub fn batch(&self) -> Batch {
        Batch {
            name: "modèle bibia (ontologie et vocabulaires)".into(),
            quads: self.quads.clone(),
            text: None,
        }
    }

    /// The context triples (ontology and vocabularies).
    pub fn context(&self) -> impl Iterator<Item = Triple> + '_ {
        self.quads.iter().map(|q| Triple::from(q.clone()))
    }
}

/// The bundled files as written, one list of triples per group, in the
/// order of the files: what `/def`, `/vocab` and `/shapes` publish and
/// document.
#[derive(Debug, Clone)]
pub struct Sources {
    /// The ontology (`ontology/*.ttl`).
    pub ontology: Vec<Triple>,
    /// The SKOS vocabularies (`ontology/vocabularies/*.ttl`).
    pub vocabularies: Vec<Triple>,
    /// The shapes (`shapes/*.ttl`).
    pub shapes: Vec<Triple>,
}

impl Sources {
    /// The files embedded at build time, relative IRIs resolved against
    /// `base`.
    pub fn bundled(base: &BaseIri) -> Result<Self, ModelError> {
        let triples = |files| -> Result<Vec<Triple>, ModelError> {
            Ok(parse_group(files, base)?
                .into_iter()
                .map(Triple::from)
                .collect())
        };
        Ok(Self {
            ontology: triples(bundle::ONTOLOGY)?,
            vocabularies: triples(bundle::VOCABULARIES)?,
            shapes: triples(bundle::SHAPES)?,
        })
    }
}

/// One source of quads to load, with the text it came from (for locating
/// failing records).
#[derive(Debug, Clone)]
pub struct Batch {
    /// The file name shown in reports.
    pub name: String,
    /// The parsed quads (default graph quads are assigned to record graphs).
    pub quads: Vec<Quad>,
    /// The source text, when it is text, to find the line of a record.
    pub text: Option<String>,
}

/// Parses one group of bundled files.
pub fn parse_group(files: &[(&str, &[u8])], base: &BaseIri) -> Result<Vec<Quad>, ReadError> {
    let mut quads = Vec::new();
    for (name, bytes) in files {
        let path = Path::new(name);
        let Some((format, gz)) = rdf::format_of(path) else {
            continue;
        };
        let bytes = rdf::maybe_gunzip(path, bytes.to_vec(), gz)?;
        quads.extend(
            rdf::parse(path, format, &bytes, base.as_str())?
                .into_iter()
                .map(|q| Quad::new(q.subject, q.predicate, q.object, GraphName::DefaultGraph)),
        );
    }
    Ok(quads)
}

//! The files embedded in the binary at build time (see `build.rs`): the
//! ontology, the SKOS vocabularies, the shapes, reference territories and the
//! fictitious demo data. Each entry is (path in the repository, bytes).

include!(concat!(env!("OUT_DIR"), "/bundle.rs"));

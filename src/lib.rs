#![doc = include_str!("../README.md")]

pub mod browse;
pub mod cli;
pub mod config;
pub mod generate;
pub mod html;
pub mod http;
pub mod import;
pub mod iri;
pub mod model;
pub mod query;
pub mod rdf;
pub mod shacl;
pub mod siren;
pub mod store;
pub mod time;
pub mod vocab;

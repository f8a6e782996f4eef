#![doc = include_str!("../README.md")]

pub mod accounts;
pub mod browse;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod contribute;
pub mod datadir;
pub mod export;
#[doc(hidden)]
pub mod fuzzing;
pub mod generate;
pub mod html;
pub mod http;
pub mod import;
pub mod iri;
pub mod model;
pub mod query;
pub mod rdf;
pub mod replica;
pub mod search;
pub mod shacl;
pub mod siren;
pub mod store;
pub mod time;
pub mod vocab;

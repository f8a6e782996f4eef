//! bibia's integration tests: one binary, one module per surface.

mod common;
mod cli;
mod import;
mod model;
mod shacl_w3c;
mod store;
mod sparql;

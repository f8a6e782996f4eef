//! bibia's integration tests: one binary, one module per surface.

mod accounts;
mod badinput;
mod catalog;
mod cli;
mod common;
mod contribute;
mod datadir;
mod def;
mod dumps;
mod export;
mod import;
mod model;
mod pages;
mod replica;
mod search;
mod shacl_w3c;
mod sparql;
mod store;

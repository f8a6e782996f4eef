//! Slugs, folding, base IRIs and the record ↔ page ↔ base mapping on
//! arbitrary text; see `bibia::fuzzing::iri_slug` for the properties
//! checked.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| bibia::fuzzing::iri_slug(data));

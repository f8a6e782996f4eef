//! The SHACL shapes compiler on arbitrary Turtle (first byte even) or on
//! a small graph of sh: terms (first byte odd); see
//! `bibia::fuzzing::shapes_compile` for the properties checked.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| bibia::fuzzing::shapes_compile(data));

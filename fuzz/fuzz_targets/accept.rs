//! Content negotiation: the first line is the `Accept` header (none when
//! the input is empty), the next ones `format=` values; see
//! `bibia::fuzzing::accept` for the properties checked.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| bibia::fuzzing::accept(data));

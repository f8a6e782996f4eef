//! The network CSV importer's reading and cleaning on arbitrary bytes; see
//! `bibia::fuzzing::CsvImport::check` for the properties checked.
#![no_main]

use bibia::fuzzing::CsvImport;
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

static IMPORT: LazyLock<CsvImport> = LazyLock::new(CsvImport::new);

fuzz_target!(|data: &[u8]| IMPORT.check(data));

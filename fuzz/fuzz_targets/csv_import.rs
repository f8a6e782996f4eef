//! The network CSV importer's reading and cleaning (`import::read_table`,
//! `import::prepare_rows`, as `import::import_bytes` calls them) on
//! arbitrary bytes: rows, or an error that says why.
#![no_main]

use bibia::fuzzing::CsvImport;
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

static IMPORT: LazyLock<CsvImport> = LazyLock::new(CsvImport::new);

fuzz_target!(|data: &[u8]| {
    match IMPORT.read(data) {
        Ok(r) => assert_eq!(r.prepared + r.rejected, r.rows),
        Err(e) => assert!(!e.trim().is_empty()),
    }
});

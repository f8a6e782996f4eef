//! The data directory when it is not what this bibia wrote: another layout
//! version, a store written by a newer oxigraph, a damaged `CURRENT`, a
//! garbled projection marker, key of the entity tags or accounts file. Each
//! runs the real `bibia` binary on a small store (the regions, under a
//! second to load) and checks the exit code, the French message naming the
//! file, that nothing panicked and, for a refusal, that nothing changed.
//! The full disk and the derived files of `serve` (search index, dumps)
//! are in `scripts/fault-datadir.py`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn bibia(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bibia"))
        .args(args)
        .env_remove("BIBIA_DATA_DIR")
        .env("BIBIA_LOG", "warn")
        .output()
        .expect("bibia runs")
}

/// `bibia serve` on `data`, which must stop by itself within 20 s.
fn serve_must_stop(data: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_bibia"))
        .args(["serve", "--data-dir", data, "--bind", "127.0.0.1:0"])
        .env("BIBIA_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("bibia serve starts");
    let started = Instant::now();
    while child.try_wait().expect("waits").is_none() {
        if started.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            let out = child.wait_with_output().expect("output");
            panic!(
                "bibia serve kept running on a directory it should refuse:\n{}",
                text(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().expect("output")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A data directory holding the regions (model included).
fn store() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data").display().to_string();
    let regions = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/reference/regions.ttl")
        .display()
        .to_string();
    let out = bibia(&["load", "--data-dir", &data, &regions]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    (dir, data)
}

/// Every file under `dir` with its bytes, but RocksDB's own log (`LOG…`),
/// which any attempt to open a store writes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut todo = vec![dir.to_owned()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).expect("lists").flatten() {
            let path = entry.path();
            if path.is_dir() {
                todo.push(path);
            } else if !entry.file_name().to_string_lossy().starts_with("LOG") {
                files.insert(path.clone(), std::fs::read(&path).expect("reads"));
            }
        }
    }
    files
}

/// The checks of a refusal: exit 2, the message (each of `needles`), no
/// panic.
fn refused(out: &Output, needles: &[&str]) -> String {
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    for needle in needles {
        assert!(err.contains(needle), "« {needle} » missing from:\n{err}");
    }
    err
}

#[test]
fn a_directory_of_another_layout_is_refused_by_every_command_and_left_as_it_is() {
    let (_dir, data) = store();
    let path = Path::new(&data);
    std::fs::write(path.join("FORMAT"), "format 2\nbibia 9.9.9\n").expect("writes");
    let before = snapshot(path);
    let regions = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/reference/regions.ttl")
        .display()
        .to_string();
    let csv = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import/public.csv")
        .display()
        .to_string();
    let expected = ["format 2", "bibia 9.9.9", "format 1", "bibia load"];
    for args in [
        vec!["export", "--data-dir", &data, "--full"],
        vec!["load", "--data-dir", &data, &regions],
        vec!["import", "interconnectes", "--data-dir", &data, &csv],
        vec!["reindex", "--data-dir", &data],
        vec!["user", "list", "--data-dir", &data],
    ] {
        refused(&bibia(&args), &expected);
    }
    refused(&serve_must_stop(&data), &expected);
    assert!(before == snapshot(path), "a refused directory was changed");

    // An older layout number is refused alike, with the way out.
    std::fs::write(path.join("FORMAT"), "format 0\n").expect("writes");
    refused(
        &bibia(&["export", "--data-dir", &data]),
        &["format 0", "bibia export --full", "bibia load"],
    );
    // And a file that says nothing readable.
    std::fs::write(path.join("FORMAT"), "\u{0}\u{1}garbage").expect("writes");
    refused(
        &bibia(&["export", "--data-dir", &data]),
        &["FORMAT est illisible"],
    );
}

#[test]
fn a_directory_from_before_the_format_file_opens_and_gets_one() {
    let (_dir, data) = store();
    let path = Path::new(&data);
    let stamp = std::fs::read_to_string(path.join("FORMAT")).expect("a new directory is stamped");
    assert!(stamp.contains("format 1\n"), "{stamp}");
    let before = bibia(&["export", "--data-dir", &data, "--full"]);
    std::fs::remove_file(path.join("FORMAT")).expect("removes");
    let out = bibia(&["export", "--data-dir", &data, "--full"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(out.stdout == before.stdout, "the export changed");
    assert_eq!(
        std::fs::read_to_string(path.join("FORMAT")).expect("stamped again"),
        stamp
    );
}

/// CRC-32C (Castagnoli), as RocksDB checks its log records.
fn crc32c(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0x82F6_3B78
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// Appends to the newest write-ahead log of the RocksDB store `store` one
/// record that sets oxigraph's storage version to `version`: the store is
/// then what a later oxigraph would have left (RocksDB replays the record on
/// opening). The record is in RocksDB's recyclable format, which oxigraph's
/// options select: masked CRC-32C, length, type 5, log number, then a write
/// batch (sequence, count, one value in the default column family).
fn set_storage_version(store: &Path, version: u64) {
    let (number, log) = std::fs::read_dir(store)
        .expect("lists")
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let n: u32 = name.strip_suffix(".log")?.parse().ok()?;
            Some((n, e.path()))
        })
        .max()
        .expect("a write-ahead log");
    let key = b"oxversion";
    let mut payload = Vec::new();
    payload.extend_from_slice(&(1u64 << 40).to_le_bytes());
    payload.extend_from_slice(&1u32.to_le_bytes());
    payload.extend_from_slice(&[1, key.len() as u8]);
    payload.extend_from_slice(key);
    payload.push(8);
    payload.extend_from_slice(&version.to_be_bytes());
    let mut body = vec![5];
    body.extend_from_slice(&number.to_le_bytes());
    body.extend_from_slice(&payload);
    let crc = crc32c(&body);
    let masked = (crc.rotate_right(15)).wrapping_add(0xa282_ead8);
    let mut record = masked.to_le_bytes().to_vec();
    record.extend_from_slice(&(payload.len() as u16).to_le_bytes());
    record.extend_from_slice(&body);
    let mut bytes = std::fs::read(&log).expect("reads");
    assert!(bytes.len() + record.len() <= 32 * 1024, "one log block");
    bytes.extend_from_slice(&record);
    std::fs::write(&log, bytes).expect("writes");
}

#[test]
fn the_crc_of_rocksdb_log_records_is_castagnoli() {
    // The check value of CRC-32C (RFC 3720, appendix B.4).
    assert_eq!(crc32c(b"123456789"), 0xe306_9283);
}

#[test]
fn a_store_written_by_a_newer_oxigraph_is_refused_in_words() {
    let (_dir, data) = store();
    let path = Path::new(&data);
    set_storage_version(&path.join("full"), 3);
    let err = refused(
        &bibia(&["export", "--data-dir", &data, "--full"]),
        &[
            "full",
            "autre format de stockage",
            "version 3",
            "bibia load",
        ],
    );
    assert!(!err.contains("endommagée"), "{err}");
    // The projection too: not rebuilt over, refused.
    let (_dir, data) = store();
    set_storage_version(&Path::new(&data).join("public"), 3);
    refused(
        &bibia(&["export", "--data-dir", &data]),
        &["public", "autre format de stockage"],
    );
}

#[test]
fn a_garbled_or_missing_current_of_the_full_store_is_refused_naming_it() {
    let (_dir, data) = store();
    let full = Path::new(&data).join("full");
    std::fs::write(full.join("CURRENT"), "n'importe quoi\n").expect("writes");
    let before = snapshot(Path::new(&data));
    for _ in 0..2 {
        refused(
            &bibia(&["export", "--data-dir", &data, "--full"]),
            &["full/CURRENT", "endommagée", "bibia restore"],
        );
    }
    refused(&serve_must_stop(&data), &["full/CURRENT"]);
    assert!(
        before == snapshot(Path::new(&data)),
        "the directory changed"
    );

    // Without CURRENT, RocksDB would start an empty store over the old
    // files (and `serve` load the demo into it): refused, twice.
    std::fs::remove_file(full.join("CURRENT")).expect("removes");
    for _ in 0..2 {
        refused(
            &bibia(&["export", "--data-dir", &data, "--full"]),
            &["full/CURRENT", "absent"],
        );
    }
    assert!(!full.join("CURRENT").exists(), "a new store was started");
}

/// A name and what damages the projection's folder.
type Damage = (&'static str, fn(&Path));

#[test]
fn a_damaged_projection_or_marker_is_rebuilt_from_the_full_store_and_said() {
    let (_dir, data) = store();
    let public = Path::new(&data).join("public");
    let expected = bibia(&["export", "--data-dir", &data]);
    assert!(expected.status.success(), "{}", text(&expected.stderr));
    let cases: [Damage; 3] = [
        ("illisible", |p| {
            std::fs::write(p.join("PROJECTION"), "douze").expect("writes");
        }),
        ("endommagée", |p| {
            std::fs::write(p.join("CURRENT"), "MANIFEST-999999\n").expect("writes");
        }),
        ("endommagée", |p| {
            std::fs::remove_file(p.join("CURRENT")).expect("removes");
        }),
    ];
    for (said, damage) in cases {
        damage(&public);
        let out = bibia(&["export", "--data-dir", &data]);
        let err = text(&out.stderr);
        assert!(out.status.success(), "{err}");
        assert!(
            err.contains(said) && err.contains("refaite") && err.contains("public"),
            "{err}"
        );
        assert!(
            out.stdout == expected.stdout,
            "the rebuilt projection differs"
        );
        // Once rebuilt, nothing more is said.
        let again = bibia(&["export", "--data-dir", &data]);
        assert!(
            !text(&again.stderr).contains("refaite"),
            "{}",
            text(&again.stderr)
        );
    }
}

#[test]
fn a_damaged_tag_key_is_refused_and_kept() {
    let (_dir, data) = store();
    let key = Path::new(&data).join("etiquettes.cle");
    std::fs::write(&key, b"court").expect("writes");
    for out in [
        bibia(&["export", "--data-dir", &data]),
        serve_must_stop(&data),
    ] {
        refused(&out, &["etiquettes.cle", "5 octets au lieu de 32"]);
    }
    assert_eq!(std::fs::read(&key).expect("kept"), b"court");
}

#[test]
fn a_damaged_accounts_file_is_refused_naming_it() {
    let (_dir, data) = store();
    let folder = Path::new(&data).join("comptes");
    std::fs::create_dir_all(&folder).expect("makes");
    std::fs::write(folder.join("comptes.json"), "{\"version\": 1, \"users\": [").expect("writes");
    let before = snapshot(Path::new(&data));
    for out in [
        bibia(&["user", "list", "--data-dir", &data]),
        bibia(&["token", "list", "--data-dir", &data]),
        serve_must_stop(&data),
    ] {
        refused(&out, &["comptes.json", "illisible", "ligne 1"]);
    }
    assert!(
        before == snapshot(Path::new(&data)),
        "the directory changed"
    );
}

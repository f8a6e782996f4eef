//! The `bibia` binary: exit codes and reports as a user sees them.

use std::path::Path;
use std::process::{Command, Output};

fn bibia(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bibia"))
        .args(args)
        .output()
        .expect("bibia runs")
}

fn root(path: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(path)
        .display()
        .to_string()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn load_refuses_a_malformed_file_with_its_line_and_changes_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data").display().to_string();
    let good = root("data/reference/regions.ttl");
    let ok = bibia(&["load", "--data-dir", &data, &good]);
    assert!(ok.status.success(), "{}", stderr(&ok));
    let before = bibia(&["export", "--data-dir", &data, "--full"]).stdout;
    let bad = dir.path().join("casse.ttl");
    std::fs::write(
        &bad,
        "@prefix ex: <http://e/> .\nex:a ex:b ex:c .\nex:a ex:b \"non fermé .\n",
    )
    .expect("write");
    let out = bibia(&[
        "load",
        "--data-dir",
        &data,
        &good,
        bad.to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("casse.ttl") && stderr(&out).contains("ligne 3"),
        "{}",
        stderr(&out)
    );
    let after = bibia(&["export", "--data-dir", &data, "--full"]).stdout;
    assert!(before == after, "the store changed after a refused load");
}

#[test]
fn load_refuses_a_non_conforming_file_with_exit_1() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data").display().to_string();
    let bad = dir.path().join("projet.ttl");
    std::fs::write(
        &bad,
        "</id/projet/sans-titre> a <https://w3id.org/bibia/def#UseCase> .\n",
    )
    .expect("write");
    let out = bibia(&["load", "--data-dir", &data, bad.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = stderr(&out);
    assert!(
        report.contains("/id/projet/sans-titre") && report.contains("projet.ttl"),
        "{report}"
    );
    assert!(
        report.contains("rien n'a été écrit") || report.contains("n'a pas été modifiée"),
        "{report}"
    );
}

#[test]
fn unknown_command_is_a_usage_error() {
    assert_eq!(bibia(&["nimporte-quoi"]).status.code(), Some(2));
}

#[test]
fn generate_is_deterministic_and_conforms() {
    let dir = tempfile::tempdir().expect("temp dir");
    let a = dir.path().join("a.nt");
    let b = dir.path().join("b.nt");
    for f in [&a, &b] {
        let out = bibia(&[
            "generate",
            "--projects",
            "200",
            "--seed",
            "7",
            "-o",
            f.to_str().expect("utf-8"),
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    assert_eq!(std::fs::read(&a).expect("a"), std::fs::read(&b).expect("b"));
    let regions = root("data/reference/regions.ttl");
    let out = bibia(&["validate", a.to_str().expect("utf-8"), &regions]);
    assert!(
        out.status.success(),
        "generated data must conform:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

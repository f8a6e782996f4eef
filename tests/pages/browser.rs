//! The browser test of the HTML pages (issue 14): `tests/browser/pages.mjs`
//! opens each page of its list on the real `bibia serve`, demo data loaded,
//! in Debian's headless Chromium, and fails on a status other than 200, a
//! missing `lang="fr"` or title, a console error, a failed request, a
//! serious or critical axe-core violation (WCAG 2.1 A and AA) or a first Tab
//! that focuses nothing visible. `scripts/setup-system.sh` installs Node.js
//! and Chromium, `scripts/test.sh` the npm packages; without them the test
//! is skipped outside CI and fails in CI. On the same service,
//! `tests/browser/contribute.mjs` then goes through a contribution: log-in,
//! a form with an error, its fix, moderation, the list.

use crate::common;
use std::path::Path;
use std::process::Command;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/browser");

/// Why the browser test cannot run here, if it cannot.
fn missing() -> Option<String> {
    if let Err(e) = Command::new("node").arg("--version").output() {
        return Some(format!("node introuvable ({e})"));
    }
    let chromium =
        std::env::var("BIBIA_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
    if !Path::new(&chromium).exists() {
        return Some(format!("Chromium introuvable ({chromium})"));
    }
    let modules = Path::new(DIR).join("node_modules");
    if !modules.is_dir() {
        return Some(format!(
            "{} absent (npm ci --prefix tests/browser)",
            modules.display()
        ));
    }
    None
}

#[test]
fn every_page_passes_the_browser_test() {
    let _turn = crate::common::TIMING.blocking_lock();
    if let Some(why) = missing() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI : {why} ; scripts/setup-system.sh et scripts/test.sh les installent"
        );
        println!("skipped: {why}");
        return;
    }
    let served = common::Served::start(&["--base-iri", common::BASE]);
    let output = Command::new("node")
        .arg(format!("{DIR}/pages.mjs"))
        .arg(format!("http://{}/", served.addr))
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("toutes les pages : ok"), "{stdout}");
    contributing(&served);
}

/// The contributions' way through the browser (`tests/browser/
/// contribute.mjs`), on the same service: a contributor of the Ville de
/// Nantes and a moderator, made with `bibia user add`.
fn contributing(served: &common::Served) {
    const PASSWORD: &str = "un mot de passe assez long";
    let data = served.data().display().to_string();
    for (login, role) in [
        (
            "agent@nantes.example",
            ["--organisation", "ville-de-nantes"],
        ),
        ("moderation@reseau.example", ["--moderator", ""]),
    ] {
        let added = Command::new(env!("CARGO_BIN_EXE_bibia"))
            .args(["user", "add", login, "--name", login, "--data-dir", &data])
            .args(["--base-iri", common::BASE])
            .args(role.iter().filter(|a| !a.is_empty()))
            .env("BIBIA_PASSWORD", PASSWORD)
            .output()
            .expect("bibia runs");
        assert!(
            added.status.success(),
            "{}",
            String::from_utf8_lossy(&added.stderr)
        );
    }
    let output = Command::new("node")
        .arg(format!("{DIR}/contribute.mjs"))
        .arg(format!("http://{}/", served.addr))
        .env("BIBIA_AGENT", "agent@nantes.example")
        .env("BIBIA_MODERATOR", "moderation@reseau.example")
        .env("BIBIA_PASSWORD", PASSWORD)
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("contributions : ok"), "{stdout}");
}

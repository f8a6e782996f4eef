//! `bibia user`, `bibia token` and `bibia organisation` as an operator runs
//! them: the real binary on a temporary data directory, the password from
//! `BIBIA_PASSWORD` or standard input, and what lands in `comptes.json`.

use std::io::Write as _;
use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};

const BASE: &str = "https://bibia.example/";

/// Runs `bibia` with `args` on `data`, `stdin` as its standard input.
fn bibia(data: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_bibia"))
        .args(args)
        .args(["--data-dir", data.to_str().expect("utf-8")])
        .env("BIBIA_BASE_IRI", BASE)
        .env_remove("BIBIA_PASSWORD")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("bibia runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("bibia ends")
}

fn ok(out: Output) -> (String, String) {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    (stdout, stderr)
}

#[test]
fn accounts_and_tokens_from_the_command_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    // A moderator, with the password on standard input.
    let (_, said) = ok(bibia(
        &data,
        &[
            "user",
            "add",
            "Modo@Reseau.fr",
            "--name",
            "Dominique Modératrice",
            "--moderator",
        ],
        "mot de passe du modo\n",
    ));
    assert!(
        said.contains("modo@reseau.fr") && said.contains("modérateur"),
        "{said}"
    );
    // A contributor, its organisation by slug, the password from the
    // environment.
    let mut add = Command::new(env!("CARGO_BIN_EXE_bibia"));
    add.args(["user", "add", "camille@mairie-x.fr", "--name", "Camille"])
        .args(["--organisation", "mairie-x", "--data-dir"])
        .arg(&data)
        .env("BIBIA_BASE_IRI", BASE)
        .env("BIBIA_PASSWORD", "mot de passe de camille")
        .stdin(Stdio::null());
    ok(add.output().expect("bibia runs"));

    // Refused: a duplicate, a short password, a foreign organisation,
    // neither role; nothing written then.
    let refused = [
        (
            vec![
                "user",
                "add",
                "modo@reseau.fr",
                "--name",
                "X",
                "--moderator",
            ],
            "existe déjà",
        ),
        (
            vec!["user", "add", "x@y.fr", "--name", "X", "--moderator"],
            "au moins 12 caractères",
        ),
        (
            vec!["user", "add", "x@y.fr", "--name", "X"],
            "--organisation",
        ),
        (
            vec![
                "user",
                "add",
                "x@y.fr",
                "--name",
                "X",
                "--organisation",
                "https://ailleurs.example/id/organisation/o",
            ],
            "https://bibia.example/id/organisation/",
        ),
    ];
    for (args, reason) in refused {
        let out = bibia(&data, &args, "court\n");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(reason), "{args:?}: {stderr}");
    }

    let (list, _) = ok(bibia(&data, &["user", "list"], ""));
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), 3, "{list}");
    assert!(lines[0].starts_with("identifiant"), "{list}");
    assert!(
        lines[1].starts_with("camille@mairie-x.fr")
            && lines[1].contains("contributeur")
            && lines[1].contains("https://bibia.example/id/organisation/mairie-x")
            && lines[1].ends_with("actif"),
        "{list}"
    );
    assert!(
        lines[2].starts_with("modo@reseau.fr") && lines[2].contains("modérateur"),
        "{list}"
    );

    ok(bibia(
        &data,
        &["user", "disable", "camille@mairie-x.fr"],
        "",
    ));
    let (list, _) = ok(bibia(&data, &["user", "list"], ""));
    assert!(list.contains("désactivé"), "{list}");
    ok(bibia(&data, &["user", "enable", "camille@mairie-x.fr"], ""));
    ok(bibia(
        &data,
        &["user", "password", "camille@mairie-x.fr"],
        "un nouveau mot de passe\r\n",
    ));

    // A token: its secret once on stdout, the warning on stderr.
    let (secret, said) = ok(bibia(
        &data,
        &[
            "token",
            "create",
            "camille@mairie-x.fr",
            "--label",
            "import nocturne",
        ],
        "",
    ));
    let secret = secret.trim().to_owned();
    assert!(
        secret.starts_with("bibia_") && secret.len() == 79,
        "{secret}"
    );
    assert!(said.contains("ne sera plus jamais affiché"), "{said}");
    let id = &secret[6..14];
    let (tokens, _) = ok(bibia(&data, &["token", "list"], ""));
    assert!(
        tokens.contains(id) && tokens.contains("import nocturne") && !tokens.contains(&secret),
        "{tokens}"
    );
    ok(bibia(&data, &["token", "revoke", id], ""));
    let (tokens, _) = ok(bibia(&data, &["token", "list"], ""));
    assert!(tokens.contains("révoqué le"), "{tokens}");
    let out = bibia(&data, &["token", "revoke", "00000000"], "");
    assert_eq!(out.status.code(), Some(2));

    // Trusted organisations, by slug or IRI.
    ok(bibia(&data, &["organisation", "trust", "mairie-x"], ""));
    let (trusted, _) = ok(bibia(&data, &["organisation", "list-trusted"], ""));
    assert_eq!(trusted, "https://bibia.example/id/organisation/mairie-x\n");
    ok(bibia(
        &data,
        &[
            "organisation",
            "untrust",
            "https://bibia.example/id/organisation/mairie-x",
        ],
        "",
    ));
    let (trusted, _) = ok(bibia(&data, &["organisation", "list-trusted"], ""));
    assert_eq!(trusted, "");

    // No password or token in clear, mode 0600 in a folder 0700, and the
    // RDF stores never opened.
    let file = data.join("comptes").join("comptes.json");
    let text = std::fs::read_to_string(&file).expect("comptes.json");
    for clear in [
        "mot de passe du modo",
        "mot de passe de camille",
        "un nouveau mot de passe",
        &secret,
        &secret[15..],
    ] {
        assert!(!text.contains(clear), "{clear} in {text}");
    }
    assert_eq!(text.matches("$argon2id$").count(), 2, "{text}");
    let mode = |p: &Path| std::fs::metadata(p).expect("stat").permissions().mode() & 0o777;
    assert_eq!(mode(&file), 0o600);
    assert_eq!(mode(&data.join("comptes")), 0o700);
    assert!(!data.join("full").exists() && !data.join("public").exists());
}

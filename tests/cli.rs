//! The `bibia` binary: exit codes and reports as a user sees them.

use std::io::{Read as _, Write as _};
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

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

/// A GET with `Connection: close`; the whole answer as text.
fn http_get(addr: &str, path: &str) -> String {
    let mut tcp = std::net::TcpStream::connect(addr).expect("connects");
    write!(
        tcp,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .expect("request sent");
    let mut answer = String::new();
    tcp.read_to_string(&mut answer).expect("answer read");
    answer
}

#[test]
fn serve_answers_then_stops_after_the_request_in_progress() {
    let server = crate::common::Served::start(&["--no-demo", "--query-timeout", "2"]);
    let addr = server.addr.clone();
    let health = http_get(&addr, "/healthz");
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    assert!(health.contains("\"status\":\"ok\""), "{health}");
    // Ready once its indexes and the examples' answers are made.
    let asked = std::time::Instant::now();
    while !http_get(&addr, "/readyz").starts_with("HTTP/1.1 200") {
        assert!(asked.elapsed().as_secs() < 60, "not ready after 60 s");
        std::thread::sleep(Duration::from_millis(100));
    }
    // A query in progress (a product stopped at its 2 s limit) when the
    // server is told to stop: it still gets its answer.
    let slow = {
        let addr = addr.clone();
        std::thread::spawn(move || {
            http_get(
                &addr,
                "/sparql?query=SELECT%20*%20WHERE%20%7B%3Fa%20%3Fb%20%3Fc%20.%20%3Fd%20%3Fe%20%3Ff%20.%20%3Fg%20%3Fh%20%3Fi%7D%20ORDER%20BY%20%3Fa",
            )
        })
    };
    std::thread::sleep(Duration::from_millis(300));
    let kill = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(kill.success());
    let answer = slow.join().expect("client thread");
    assert!(answer.starts_with("HTTP/1.1 504"), "{answer}");
    assert!(answer.contains("temps limite"), "{answer}");
    let (status, said) = server.wait();
    assert!(status.success(), "{status}");
    assert!(said.contains("Arrêt propre"), "{said}");
    assert!(
        std::net::TcpStream::connect(&addr).is_err(),
        "still listening after the stop"
    );
}

#[test]
fn import_without_a_project_name_column_stops_with_exit_2_and_the_mapping_to_give() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data").display().to_string();
    let csv = dir.path().join("inventaire.csv");
    std::fs::write(
        &csv,
        "Nom_collectivite;Intitulé;Statut_du_projet;Description_service;Date_de_demarrage;Theme;Audience\n\
         Ville de Nantes;Tri des courriers;En déploiement;Tri automatique.;2023;Administration et organisation interne;Agent\n",
    )
    .expect("write");
    let csv = csv.to_str().expect("utf-8");
    let import = |extra: &[&str]| {
        let mut args: Vec<&str> = vec!["import", "interconnectes", "--data-dir", &data, csv];
        args.extend(extra);
        bibia(&args)
    };
    let out = import(&[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let said = stderr(&out);
    assert!(
        said.contains("Nom_du_projet (le nom du projet)") && said.contains("« Intitulé »"),
        "{said}"
    );
    assert!(
        said.contains(&format!(
            "bibia import interconnectes {csv} --columns 'Nom_du_projet=Intitulé'"
        )),
        "{said}"
    );
    let dump = || bibia(&["export", "--data-dir", &data, "--full"]).stdout;
    assert!(dump().is_empty(), "nothing may be written");

    // Usage errors: a field the network does not have, a column the file
    // does not have.
    let out = import(&["--columns", "Titre=Intitulé"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("champ inconnu « Titre »"),
        "{}",
        stderr(&out)
    );
    let out = import(&["--columns", "Nom_du_projet=Titre"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("n'a pas de colonne « Titre »"),
        "{}",
        stderr(&out)
    );
    assert!(dump().is_empty(), "nothing may be written");

    // The suggested mapping imports the file.
    let out = import(&["--columns", "Nom_du_projet=Intitulé"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        String::from_utf8_lossy(&dump()).contains("\"Tri des courriers\"@fr"),
        "the project is stored"
    );
}

#[test]
fn load_of_an_export_minted_under_another_base_says_so_once_with_exit_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    let here = dir.path().join("a").display().to_string();
    let there = dir.path().join("b").display().to_string();
    // Exported from a store served at http://localhost:8080/ (the default).
    let ok = bibia(&[
        "load",
        "--data-dir",
        &here,
        &root("data/reference/regions.ttl"),
    ]);
    assert!(ok.status.success(), "{}", stderr(&ok));
    let export = dir.path().join("export.nq").display().to_string();
    let ok = bibia(&["export", "--data-dir", &here, "-o", &export]);
    assert!(ok.status.success(), "{}", stderr(&ok));
    let load = |extra: &[&str]| {
        let mut args: Vec<&str> = vec![
            "load",
            "--data-dir",
            &there,
            "--base-iri",
            "https://bibia.example/",
        ];
        args.extend(extra);
        args.push(&export);
        bibia(&args)
    };
    let dump = || {
        String::from_utf8(bibia(&["export", "--data-dir", &there, "--full"]).stdout).expect("utf-8")
    };

    let out = load(&[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let said = stderr(&out);
    assert!(
        said.contains("export.nq : les fiches de ce fichier sont nommées sous l'IRI de base http://localhost:8080/ (par exemple http://localhost:8080/id/")
            && said.contains("mais cette base utilise https://bibia.example/")
            && said.contains("--rebase")
            && said.contains("--base-iri http://localhost:8080/"),
        "{said}"
    );
    assert_eq!(said.matches("IRI de base").count(), 1, "said once: {said}");
    assert!(!said.contains("pas dans la liste"), "{said}");
    assert!(dump().is_empty(), "nothing may be written");

    // --rebase loads the same records under the store's base.
    let out = load(&["--rebase"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let stored = dump();
    assert!(
        stored.contains("<https://bibia.example/id/territoire/region-84>"),
        "{stored}"
    );
    assert!(!stored.contains("localhost:8080"), "{stored}");
}

#[test]
fn load_and_import_go_through_the_running_service() {
    let served = crate::common::Served::start(&["--no-demo", "--base-iri", crate::common::BASE]);
    let data = served.data().display().to_string();
    let add = Command::new(env!("CARGO_BIN_EXE_bibia"))
        .args([
            "user",
            "add",
            "moderation@reseau.example",
            "--moderator",
            "--name",
            "Modération",
        ])
        .args(["--data-dir", &data])
        .env("BIBIA_PASSWORD", "un mot de passe assez long")
        .output()
        .expect("bibia runs");
    assert!(add.status.success(), "{}", stderr(&add));
    let token = bibia(&[
        "token",
        "create",
        "moderation@reseau.example",
        "--data-dir",
        &data,
    ]);
    assert!(token.status.success(), "{}", stderr(&token));
    let token = String::from_utf8_lossy(&token.stdout).trim().to_owned();
    let dir = tempfile::tempdir().expect("temp dir");
    let org = dir.path().join("organisation.ttl");
    std::fs::write(
        &org,
        "@prefix org: <http://www.w3.org/ns/org#> . @prefix foaf: <http://xmlns.com/foaf/0.1/> .\n\
         @prefix bia: <https://w3id.org/bibia/def#> . @prefix dcterms: <http://purl.org/dc/terms/> .\n\
         </id/organisation/ville-de-nantes> a org:Organization, bia:LocalAuthority ;\n\
           foaf:name \"Ville de Nantes\"@fr ;\n\
           dcterms:description \"Commune.\"@fr ;\n\
           bia:organisationType </id/concept/type-organisation/commune> ;\n\
           bia:territory </id/territoire/commune-44109> .\n",
    )
    .expect("write");
    let org = org.display().to_string();
    // The store is the service's: the command says how to go through it.
    let direct = bibia(&[
        "load",
        "--data-dir",
        &data,
        "--base-iri",
        crate::common::BASE,
        &org,
    ]);
    assert_eq!(direct.status.code(), Some(2));
    assert!(stderr(&direct).contains("--via"), "{}", stderr(&direct));
    let via = format!("http://{}/", served.addr);
    let no_token = bibia(&["load", "--via", &via, &org]);
    assert_eq!(no_token.status.code(), Some(2));
    assert!(
        stderr(&no_token).contains("BIBIA_TOKEN"),
        "{}",
        stderr(&no_token)
    );
    let load = Command::new(env!("CARGO_BIN_EXE_bibia"))
        .args([
            "load",
            "--via",
            &via,
            "--base-iri",
            crate::common::BASE,
            &org,
        ])
        .env("BIBIA_TOKEN", &token)
        .output()
        .expect("bibia runs");
    assert!(load.status.success(), "{}", stderr(&load));
    assert!(
        stderr(&load).contains("Chargé par le service"),
        "{}",
        stderr(&load)
    );
    let page = http_get(&served.addr, "/page/organisation/ville-de-nantes");
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert!(page.contains("Ville de Nantes"));
    // The network's CSV, through the service too.
    let csv = dir.path().join("projets.csv");
    std::fs::write(
        &csv,
        "Nom_collectivite;Nom_du_projet;Date_de_demarrage;Statut_du_projet;Partenaires;Description_service;mise_en_oeuvre;Theme;Audience\n\
         Ville de Nantes;Tri des demandes d'état civil;2023;En déploiement;;Classement des demandes reçues en ligne.;;Mobilités;Agent\n",
    )
    .expect("write");
    let import = Command::new(env!("CARGO_BIN_EXE_bibia"))
        .args([
            "import",
            "interconnectes",
            &csv.display().to_string(),
            "--via",
            &via,
        ])
        .env("BIBIA_TOKEN", &token)
        .output()
        .expect("bibia runs");
    assert!(import.status.success(), "{}", stderr(&import));
    let page = http_get(
        &served.addr,
        "/page/projet/ville-de-nantes-tri-des-demandes-d-etat-civil",
    );
    assert!(
        page.starts_with("HTTP/1.1 200"),
        "{page}: {}",
        stderr(&import)
    );
    // A contributor's token cannot load.
    let add = Command::new(env!("CARGO_BIN_EXE_bibia"))
        .args([
            "user",
            "add",
            "agent@nantes.example",
            "--organisation",
            "ville-de-nantes",
            "--name",
            "Agent",
        ])
        .args(["--data-dir", &data, "--base-iri", crate::common::BASE])
        .env("BIBIA_PASSWORD", "un mot de passe assez long")
        .output()
        .expect("bibia runs");
    assert!(add.status.success(), "{}", stderr(&add));
    let contributor = bibia(&[
        "token",
        "create",
        "agent@nantes.example",
        "--data-dir",
        &data,
    ]);
    let contributor = String::from_utf8_lossy(&contributor.stdout)
        .trim()
        .to_owned();
    let refused = Command::new(env!("CARGO_BIN_EXE_bibia"))
        .args([
            "load",
            "--via",
            &via,
            "--base-iri",
            crate::common::BASE,
            &org,
        ])
        .env("BIBIA_TOKEN", &contributor)
        .output()
        .expect("bibia runs");
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("modérateur"),
        "{}",
        stderr(&refused)
    );
}

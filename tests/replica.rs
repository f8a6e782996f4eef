//! Read replicas: a primary and two `serve --replica-of` processes on
//! localhost, the real binary and real HTTP. A write on the primary reaches
//! both replicas (pages, SPARQL, search) within the stated delay; writes
//! sent to a replica are redirected to the primary; a replica holds only
//! what the primary publishes.

use crate::common::{BASE, Served};
use std::io::{Read as _, Write as _};
use std::process::Command;
use std::time::{Duration, Instant};

/// The delay the README states: a write reaches the replicas within about
/// a second (the primary answers a waiting replica at once); this bound
/// leaves room for a loaded test machine.
const STATED_DELAY: Duration = Duration::from_secs(10);

/// One request with `Connection: close`: the status and the whole answer.
fn http(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String) {
    let mut tcp = std::net::TcpStream::connect(addr).expect("connects");
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    tcp.write_all(head.as_bytes()).expect("request sent");
    tcp.write_all(body.as_bytes()).expect("body sent");
    let mut answer = String::new();
    tcp.read_to_string(&mut answer).expect("answer read");
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, answer)
}

fn get(addr: &str, path: &str) -> (u16, String) {
    http(addr, "GET", path, &[], "")
}

/// How many quads the SPARQL endpoint at `addr` sees.
fn quads(addr: &str) -> String {
    let (status, answer) = http(
        addr,
        "GET",
        "/sparql?query=SELECT%20(COUNT(*)%20AS%20%3Fn)%20WHERE%20%7B%20GRAPH%20%3Fg%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D%20%7D",
        &[("Accept", "text/csv")],
        "",
    );
    assert_eq!(status, 200, "{answer}");
    answer
        .lines()
        .rev()
        .find(|l| l.trim().chars().all(|c| c.is_ascii_digit()) && !l.trim().is_empty())
        .map(|l| l.trim().to_owned())
        .unwrap_or_default()
}

/// Waits until `check` holds on every replica; the time it took.
fn until_all(replicas: &[&Served], what: &str, check: impl Fn(&str) -> bool) -> Duration {
    let start = Instant::now();
    for r in replicas {
        while !check(&r.addr) {
            assert!(
                start.elapsed() < STATED_DELAY,
                "{what}: not on the replica {} after {STATED_DELAY:?}",
                r.addr
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    start.elapsed()
}

fn moderator_token(primary: &Served) -> String {
    let data = primary.data().display().to_string();
    let add = Command::new(env!("CARGO_BIN_EXE_bibia"))
        .args(["user", "add", "moderation@reseau.example", "--moderator"])
        .args([
            "--name",
            "Modération",
            "--data-dir",
            &data,
            "--base-iri",
            BASE,
        ])
        .env("BIBIA_PASSWORD", "un mot de passe assez long")
        .output()
        .expect("bibia runs");
    assert!(
        add.status.success(),
        "{}",
        String::from_utf8_lossy(&add.stderr)
    );
    let token = Command::new(env!("CARGO_BIN_EXE_bibia"))
        .args(["token", "create", "moderation@reseau.example"])
        .args(["--data-dir", &data, "--base-iri", BASE])
        .output()
        .expect("bibia runs");
    assert!(token.status.success());
    String::from_utf8_lossy(&token.stdout).trim().to_owned()
}

const ORGANISATION: &str = "@prefix org: <http://www.w3.org/ns/org#> . @prefix foaf: <http://xmlns.com/foaf/0.1/> .\n\
     @prefix bia: <https://w3id.org/bibia/def#> . @prefix dcterms: <http://purl.org/dc/terms/> .\n\
     <> a org:Organization, bia:LocalAuthority ;\n\
       foaf:name \"Ville de Saint-Répliqué\"@fr ;\n\
       dcterms:description \"Commune d'essai des réplicas.\"@fr ;\n\
       bia:organisationType <http://localhost:8080/id/concept/type-organisation/commune> ;\n\
       bia:territory <http://localhost:8080/id/territoire/commune-44109> .\n";

#[test]
fn a_write_on_the_primary_reaches_both_replicas_and_nothing_else_is_mixed_up() {
    let primary = Served::start(&["--no-demo", "--base-iri", BASE]);
    let token = moderator_token(&primary);
    let source = format!("http://{}/", primary.addr);
    // Started side by side: each makes its first copy before it listens.
    let starting: Vec<_> = (0..2)
        .map(|_| {
            let source = source.clone();
            std::thread::spawn(move || Served::start(&["--replica-of", &source]))
        })
        .collect();
    let replicas: Vec<Served> = starting
        .into_iter()
        .map(|t| t.join().expect("replica started"))
        .collect();
    let replicas: Vec<&Served> = replicas.iter().collect();
    // The first copy is made before a replica listens: the same quads, the
    // primary's IRIs, and no full store (nothing restricted to hold).
    let expected = quads(&primary.addr);
    assert!(
        expected.parse::<u64>().is_ok_and(|n| n > 1000),
        "{expected}"
    );
    for r in &replicas {
        assert_eq!(quads(&r.addr), expected);
        let (status, health) = get(&r.addr, "/healthz");
        assert_eq!(status, 200);
        assert!(
            health.contains(&format!("\"base_iri\":\"{BASE}\"")),
            "{health}"
        );
        assert!(
            health.contains(&format!("\"source\":\"{source}\"")),
            "{health}"
        );
        assert!(!r.data().join("full").exists());
    }

    // A creation on the primary.
    let (status, created) = http(
        &primary.addr,
        "POST",
        "/id/organisation/",
        &[
            ("Authorization", &format!("Bearer {token}")),
            ("Content-Type", "text/turtle"),
        ],
        ORGANISATION,
    );
    assert_eq!(status, 201, "{created}");
    let location = created
        .lines()
        .find_map(|l| {
            l.strip_prefix("location: ")
                .or(l.strip_prefix("Location: "))
        })
        .expect("Location")
        .trim()
        .to_owned();
    let path = location
        .strip_prefix(BASE.trim_end_matches('/'))
        .expect("under the base");
    let page = path.replacen("/id/", "/page/", 1);
    // A replica's page shows a change as soon as it is applied, its lists
    // and search once their indexes are rebuilt (the previous ones are
    // served meanwhile): the change is visible when both show it.
    let searched = |addr: &str| get(addr, "/recherche?q=R%C3%A9pliqu%C3%A9").1;
    let delay = until_all(&replicas, "the new organisation, page and search", |addr| {
        let (status, body) = get(addr, &page);
        status == 200
            && body.contains("Saint-Répliqué")
            && searched(addr).contains("Saint-Répliqué")
    });
    eprintln!("creation visible on both replicas after {delay:?}");
    for r in &replicas {
        assert_eq!(quads(&r.addr), quads(&primary.addr));
    }

    // Writes sent to a replica go to the primary, method kept.
    let (status, redirected) = http(
        &replicas[0].addr,
        "DELETE",
        path,
        &[("Authorization", &format!("Bearer {token}"))],
        "",
    );
    assert_eq!(status, 307, "{redirected}");
    assert!(
        redirected.contains(&format!("location: {source}{}", &path[1..])),
        "{redirected}"
    );
    let (status, login) = get(&replicas[1].addr, "/connexion");
    assert_eq!(status, 307, "{login}");
    assert!(login.contains("lecture seule"));

    // A withdrawal on the primary: the record answers 410 on both.
    let (_, record) = http(
        &primary.addr,
        "GET",
        path,
        &[
            ("Authorization", &format!("Bearer {token}")),
            ("Accept", "text/turtle"),
        ],
        "",
    );
    let etag = record
        .lines()
        .find_map(|l| l.strip_prefix("etag: "))
        .expect("ETag")
        .trim()
        .to_owned();
    let (status, withdrawn) = http(
        &primary.addr,
        "DELETE",
        path,
        &[
            ("Authorization", &format!("Bearer {token}")),
            ("If-Match", &etag),
        ],
        "",
    );
    assert!(status == 200 || status == 204, "{withdrawn}");
    let delay = until_all(&replicas, "the withdrawal, page and search", |addr| {
        get(addr, &page).0 == 410 && !searched(addr).contains("Saint-Répliqué")
    });
    eprintln!("withdrawal visible on both replicas after {delay:?}");

    // A primary's command on the replica's directory is refused.
    let data = replicas[0].data().display().to_string();
    let out = Command::new(env!("CARGO_BIN_EXE_bibia"))
        .args(["export", "--data-dir", &data, "--base-iri", BASE])
        .output()
        .expect("bibia runs");
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("réplique"), "{said}");
    // A replica given another base IRI than its primary's is refused.
    let dir = tempfile::tempdir().expect("temp dir");
    let out = Command::new(env!("CARGO_BIN_EXE_bibia"))
        .args(["serve", "--replica-of", &source, "--bind", "127.0.0.1:0"])
        .args(["--base-iri", "https://ailleurs.example/"])
        .arg("--data-dir")
        .arg(dir.path())
        .output()
        .expect("bibia runs");
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("--base-iri"), "{said}");
    // The feed refuses a position it cannot read, in French.
    let (status, answer) = get(&primary.addr, "/flux?depuis=n-importe-quoi");
    assert_eq!(status, 400, "{answer}");
    assert!(
        answer.contains("position de réplication illisible"),
        "{answer}"
    );
}

use super::*;
use std::os::unix::fs::PermissionsExt as _;

const ORG: &str = "http://localhost:8080/id/organisation/mairie-x";
const PASSWORD: &str = "douze caractères";

fn contributor(login: &str) -> NewUser {
    NewUser {
        login: login.into(),
        name: "Camille Contributrice".into(),
        role: Role::Contributor,
        organisation: Some(ORG.into()),
        password: PASSWORD.into(),
    }
}

fn moderator(login: &str) -> NewUser {
    NewUser {
        login: login.into(),
        name: "Dominique Modératrice".into(),
        role: Role::Moderator,
        organisation: None,
        password: PASSWORD.into(),
    }
}

fn open() -> (tempfile::TempDir, Accounts) {
    let dir = tempfile::tempdir().expect("temp dir");
    let accounts = Accounts::open(dir.path()).expect("open");
    (dir, accounts)
}

#[test]
fn an_account_logs_in_with_its_password_only() {
    let (dir, accounts) = open();
    accounts
        .add_user(contributor(" Camille@Mairie-X.fr "))
        .expect("add");
    let who = accounts
        .login("camille@mairie-x.fr", PASSWORD)
        .expect("log in");
    assert_eq!(who.login, "camille@mairie-x.fr");
    assert_eq!(who.organisation.as_deref(), Some(ORG));
    assert!(!who.is_moderator() && !who.trusted);
    assert_eq!(
        accounts
            .login("CAMILLE@mairie-x.fr", PASSWORD)
            .expect("case"),
        who
    );
    assert!(matches!(
        accounts.login("camille@mairie-x.fr", "douze caractèreS"),
        Err(AuthError::Invalid)
    ));
    assert!(matches!(
        accounts.login("personne@mairie-x.fr", PASSWORD),
        Err(AuthError::Invalid)
    ));
    // Stored as Argon2id, mode 0600 in a folder 0700.
    let text = std::fs::read_to_string(accounts.path()).expect("read");
    assert!(
        text.contains("$argon2id$") && !text.contains(PASSWORD),
        "{text}"
    );
    let mode = |p: &Path| std::fs::metadata(p).expect("stat").permissions().mode() & 0o777;
    assert_eq!(mode(accounts.path()), 0o600);
    assert_eq!(mode(&dir.path().join("comptes")), 0o700);
}

#[test]
fn a_disabled_account_is_refused_until_enabled() {
    let (_dir, accounts) = open();
    accounts.add_user(moderator("modo@reseau.fr")).expect("add");
    assert!(accounts.disable("modo@reseau.fr").expect("disable"));
    assert!(!accounts.disable("modo@reseau.fr").expect("again"));
    assert!(matches!(
        accounts.login("modo@reseau.fr", PASSWORD),
        Err(AuthError::Disabled)
    ));
    assert!(matches!(
        accounts.login("modo@reseau.fr", "un mauvais mot de passe"),
        Err(AuthError::Invalid)
    ));
    assert!(matches!(
        accounts.create_token("modo@reseau.fr", ""),
        Err(AccountError::Disabled(_))
    ));
    assert!(accounts.enable("modo@reseau.fr").expect("enable"));
    let who = accounts.login("modo@reseau.fr", PASSWORD).expect("log in");
    assert!(who.is_moderator() && who.trusted);
    assert!(matches!(
        accounts.disable("personne@reseau.fr"),
        Err(AccountError::UnknownUser(_))
    ));
}

#[test]
fn add_user_refuses_what_it_must() {
    let (_dir, accounts) = open();
    accounts.add_user(moderator("modo@reseau.fr")).expect("add");
    let refused = |user: NewUser| accounts.add_user(user).expect_err("refused");
    assert!(matches!(
        refused(moderator("MODO@reseau.fr")),
        AccountError::Duplicate(_)
    ));
    assert!(matches!(
        refused(NewUser {
            organisation: None,
            ..contributor("c@x.fr")
        }),
        AccountError::NoOrganisation(_)
    ));
    assert!(matches!(
        refused(NewUser {
            organisation: Some(ORG.into()),
            ..moderator("m@x.fr")
        }),
        AccountError::ModeratorOrganisation(_)
    ));
    assert!(matches!(
        refused(NewUser {
            password: "onze carac.".into(),
            ..contributor("c@x.fr")
        }),
        AccountError::WeakPassword
    ));
    for login in ["", "sans-arobase", "a@b", "a b@c.fr", "@c.fr", "a@@c.fr"] {
        assert!(
            matches!(refused(contributor(login)), AccountError::InvalidLogin(_)),
            "{login}"
        );
    }
    let message = refused(NewUser {
        password: "court".into(),
        ..contributor("c@x.fr")
    })
    .to_string();
    assert_eq!(
        message,
        "mot de passe trop court : il faut au moins 12 caractères"
    );
    assert_eq!(accounts.users().expect("users").len(), 1);
}

#[test]
fn set_password_replaces_the_old_one() {
    let (_dir, accounts) = open();
    accounts.add_user(contributor("c@x.fr")).expect("add");
    assert!(matches!(
        accounts.set_password("c@x.fr", "court"),
        Err(AccountError::WeakPassword)
    ));
    accounts
        .set_password("c@x.fr", "un tout nouveau mot de passe")
        .expect("set");
    assert!(accounts.login("c@x.fr", PASSWORD).is_err());
    assert!(
        accounts
            .login("c@x.fr", "un tout nouveau mot de passe")
            .is_ok()
    );
}

#[test]
fn a_token_acts_for_its_account_until_revoked() {
    let (_dir, accounts) = open();
    accounts.add_user(contributor("c@x.fr")).expect("add");
    let (id, secret) = accounts
        .create_token("c@x.fr", "script d'import")
        .expect("token");
    assert!(secret.starts_with(&format!("bibia_{id}_")), "{secret}");
    let who = accounts.bearer(&secret).expect("read").expect("valid");
    assert_eq!(who.login, "c@x.fr");
    // Any other secret, even with the same identifier, is refused.
    let mut forged = secret.clone();
    forged.pop();
    forged.push(if secret.ends_with('0') { '1' } else { '0' });
    assert_eq!(accounts.bearer(&forged).expect("read"), None);
    assert_eq!(accounts.bearer("bibia_").expect("read"), None);
    // Only the hash is stored.
    let text = std::fs::read_to_string(accounts.path()).expect("read");
    assert!(!text.contains(&secret) && !text.contains(&secret[15..]));
    assert!(text.contains(&secret::sha256_hex(&secret)));
    // A disabled account's token stops working, and works again after.
    accounts.disable("c@x.fr").expect("disable");
    assert_eq!(accounts.bearer(&secret).expect("read"), None);
    accounts.enable("c@x.fr").expect("enable");
    assert!(accounts.bearer(&secret).expect("read").is_some());
    // Revoked for good.
    assert!(accounts.revoke_token(id.as_str()).expect("revoke"));
    assert!(!accounts.revoke_token(id.as_str()).expect("again"));
    assert_eq!(accounts.bearer(&secret).expect("read"), None);
    let tokens = accounts.tokens().expect("tokens");
    assert_eq!(tokens.len(), 1);
    assert_eq!(tokens[0].label, "script d'import");
    assert!(tokens[0].revoked.is_some());
    assert!(matches!(
        accounts.revoke_token("00000000"),
        Err(AccountError::UnknownToken(_))
    ));
    assert!(matches!(
        accounts.create_token("personne@x.fr", ""),
        Err(AccountError::UnknownUser(_))
    ));
}

#[test]
fn trusted_organisations_publish_without_moderation() {
    let (_dir, accounts) = open();
    accounts.add_user(contributor("c@x.fr")).expect("add");
    assert!(!accounts.login("c@x.fr", PASSWORD).expect("log in").trusted);
    assert!(accounts.trust(ORG, true).expect("trust"));
    assert!(!accounts.trust(ORG, true).expect("again"));
    assert!(accounts.is_trusted(ORG).expect("read"));
    assert_eq!(accounts.trusted().expect("read"), [ORG]);
    assert!(accounts.login("c@x.fr", PASSWORD).expect("log in").trusted);
    assert!(accounts.trust(ORG, false).expect("untrust"));
    assert!(!accounts.is_trusted(ORG).expect("read"));
}

#[test]
fn contributors_write_their_organisations_records_only() {
    let contributor = Principal {
        login: "c@x.fr".into(),
        name: "C".into(),
        role: Role::Contributor,
        organisation: Some(ORG.into()),
        trusted: false,
    };
    assert!(contributor.may_write(Some(ORG)));
    assert!(!contributor.may_write(Some("http://localhost:8080/id/organisation/autre")));
    assert!(!contributor.may_write(None));
    let moderator = Principal {
        role: Role::Moderator,
        organisation: None,
        ..contributor
    };
    assert!(moderator.may_write(Some(ORG)) && moderator.may_write(None));
}

#[test]
fn two_handles_see_each_others_changes() {
    let (dir, first) = open();
    let second = Accounts::open(dir.path()).expect("open");
    assert!(second.users().expect("users").is_empty());
    first.add_user(moderator("modo@reseau.fr")).expect("add");
    assert_eq!(second.users().expect("users").len(), 1);
    let (_, secret) = second.create_token("modo@reseau.fr", "").expect("token");
    assert!(first.bearer(&secret).expect("read").is_some());
    second.disable("modo@reseau.fr").expect("disable");
    assert_eq!(first.bearer(&secret).expect("read"), None);
    // Changes made at once from both keep each other's.
    std::thread::scope(|s| {
        for (i, handle) in [&first, &second].into_iter().enumerate() {
            s.spawn(move || {
                for j in 0..10 {
                    handle
                        .trust(&format!("{ORG}-{i}-{j}"), true)
                        .expect("trust");
                }
            });
        }
    });
    assert_eq!(first.trusted().expect("read").len(), 20);
    assert_eq!(second.trusted().expect("read").len(), 20);
}

#[test]
fn a_damaged_file_is_named_with_its_line_and_column() {
    let (dir, accounts) = open();
    accounts.add_user(moderator("modo@reseau.fr")).expect("add");
    std::fs::write(
        accounts.path(),
        "{\n  \"version\": 1,\n  \"users\": [ oups ]\n}\n",
    )
    .expect("write");
    let error = accounts.users().expect_err("damaged");
    let message = error.to_string();
    assert!(
        matches!(error, AccountError::Corrupt { line: 3, .. }),
        "{message}"
    );
    assert!(
        message.contains("comptes.json")
            && message.contains("ligne 3, colonne")
            && !message.contains(" at line "),
        "{message}"
    );
    assert!(matches!(
        accounts.login("modo@reseau.fr", PASSWORD),
        Err(AuthError::Account(AccountError::Corrupt { .. }))
    ));
    assert!(matches!(
        Accounts::open(dir.path()),
        Err(AccountError::Corrupt { .. })
    ));
    // A change refuses to overwrite it.
    assert!(accounts.add_user(moderator("autre@reseau.fr")).is_err());
    assert!(
        std::fs::read_to_string(accounts.path())
            .expect("read")
            .contains("oups")
    );
    std::fs::write(accounts.path(), "{\"version\": 9}").expect("write");
    assert!(matches!(
        accounts.users(),
        Err(AccountError::Version { version: 9, .. })
    ));
}

#[test]
fn organisations_are_named_by_slug_or_iri() {
    let base = BaseIri::parse("https://bibia.example/").expect("base");
    assert_eq!(
        organisation_iri(&base, "mairie-x").expect("slug"),
        "https://bibia.example/id/organisation/mairie-x"
    );
    assert_eq!(
        organisation_iri(&base, "https://bibia.example/id/organisation/mairie-x").expect("iri"),
        "https://bibia.example/id/organisation/mairie-x"
    );
    for bad in [
        "",
        "mairie x",
        "a/b",
        "https://ailleurs.example/id/organisation/mairie-x",
        "https://bibia.example/id/projet/p",
        "https://bibia.example/id/organisation/",
    ] {
        assert!(organisation_iri(&base, bad).is_err(), "{bad}");
    }
}

//! `bibia import interconnectes`: the network's CSV layouts with every kind
//! of mess, rejections and their report, stable identity on re-import.

use crate::common::{self, TestStore};
use bibia::cli::Outcome;
use bibia::import::{ImportReport, Layout, Options, import_bytes, import_file};
use oxigraph::io::RdfFormat;
use oxigraph::store::Store;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

fn import(store: &TestStore, name: &str) -> ImportReport {
    import_file(&store.stores, &fixture(name), &Options::default()).expect("import runs")
}

fn dump(store: &TestStore) -> Vec<u8> {
    store
        .stores
        .export(RdfFormat::NQuads, true, Vec::new())
        .expect("export")
}

/// The public projection in memory, for SPARQL.
fn projection(store: &TestStore) -> Store {
    let public = store
        .stores
        .export(RdfFormat::NQuads, false, Vec::new())
        .expect("export");
    let mem = Store::new().expect("memory store");
    mem.load_from_slice(RdfFormat::NQuads, &public)
        .expect("projection loads");
    mem
}

/// The full store (restricted data included) in memory, for SPARQL.
fn full(store: &TestStore) -> Store {
    let mem = Store::new().expect("memory store");
    mem.load_from_slice(RdfFormat::NQuads, &dump(store))
        .expect("dump loads");
    mem
}

/// Runs a SELECT over the union of the graphs; each row as text values
/// (IRIs relative to the base, literals as their lexical form).
fn select(store: &Store, query: &str) -> Vec<Vec<String>> {
    let results = common::union_select(query)
        .on_store(store)
        .execute()
        .expect("query runs");
    let mut rows = common::text_rows(results);
    rows.sort();
    rows
}

fn values(store: &Store, query: &str) -> Vec<String> {
    select(store, query)
        .into_iter()
        .map(|r| r.join(" | "))
        .collect()
}

fn count(store: &Store, pattern: &str) -> usize {
    values(
        store,
        &format!("SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {pattern} }}"),
    )[0]
    .parse()
    .expect("count")
}

#[test]
fn public_export_with_every_mess_imports_the_expected_records() {
    let store = TestStore::with_model();
    let report = import(&store, "public.csv");
    assert_eq!(report.layout, Layout::Public);
    assert_eq!(report.rows_read, 7, "the blank row is not counted");
    assert_eq!(report.imported, 5, "{:#?}", report.rejected);
    let rejected: Vec<(usize, &str)> = report
        .rejected
        .iter()
        .map(|r| (r.row, r.message.as_str()))
        .collect();
    assert_eq!(
        rejected.iter().map(|r| r.0).collect::<Vec<_>>(),
        [5, 7],
        "{rejected:#?}"
    );
    assert!(rejected[0].1.contains("Nom_du_projet"), "{}", rejected[0].1);
    assert!(
        rejected[1].1.contains("thème principal est obligatoire"),
        "shape message expected: {}",
        rejected[1].1
    );
    assert!(
        rejected[1].1.contains("Theme « Culture »"),
        "{}",
        rejected[1].1
    );
    let warnings: Vec<String> = report
        .warnings
        .iter()
        .map(|w| format!("{}: {}", w.row, w.message))
        .collect();
    for expected in [
        "4: Audience « Martiens »",
        "4: Sous_Theme « Pêche à la ligne »",
        "4: latitude 2.3522 et longitude 48.8566 inversées",
        "6: SIRET « 243 300 316 00012 » invalide (clé de contrôle (Luhn) fausse",
        "8: Latitude « 40,7128 » hors de France",
        "8: URL_Service « lien à venir »",
        "8: projet abandonné sans raison",
    ] {
        assert!(
            warnings.iter().any(|w| w.starts_with(expected)),
            "missing {expected} in {warnings:#?}"
        );
    }
    assert_eq!(report.with_warnings, 3, "{warnings:#?}");
    assert_eq!(
        (report.organisations_created, report.organisations_reused),
        (10, 0)
    );

    let db = full(&store);
    assert_eq!(count(&db, "?x a bia:UseCase"), 5);
    assert_eq!(count(&db, "?x a org:Organization"), 10);
    // One Lyon, found under both spellings and both establishments.
    assert_eq!(
        values(
            &db,
            "SELECT ?o ?name ?alt ?type WHERE { ?o bia:siren \"200046977\" ; foaf:name ?name ; skos:altLabel ?alt ; bia:organisationType ?type ; a bia:LocalAuthority }"
        ),
        [
            "id/organisation/metropole-de-lyon | Métropole de Lyon | Metropole de Lyon | id/concept/type-organisation/metropole"
        ]
    );
    assert_eq!(
        values(
            &db,
            "SELECT ?s WHERE { ?o bia:siren \"200046977\" ; bia:siret ?s }"
        ),
        ["20004697700019", "20004697700027"]
    );
    // Line break inside a name, "Terminé", "Élu - Agent", a bare year, provenance.
    assert_eq!(
        values(
            &db,
            "SELECT ?title ?status ?start ?row WHERE { <id/projet/metropole-de-lyon-detection-des-fuites-d-eau> dcterms:title ?title ; adms:status ?status ; schema:startDate ?start ; bia:sourceRow ?row ; dcterms:source \"public.csv\" }"
        ),
        ["Détection des fuites d'eau | id/concept/statut/terminee | 2022 | 3"]
    );
    assert_eq!(
        values(
            &db,
            "SELECT ?a WHERE { <id/projet/metropole-de-lyon-detection-des-fuites-d-eau> bia:audience ?a }"
        ),
        ["id/concept/audience/agent", "id/concept/audience/elu"]
    );
    // Partners split on dashes and line breaks, hyphenated names kept, role in parentheses.
    let chatbot = "<id/projet/metropole-de-lyon-chatbot-dechets>";
    assert_eq!(
        values(
            &db,
            &format!(
                "SELECT ?name WHERE {{ {chatbot} bia:partnership ?p . ?p a bia:Partnership ; bia:partner/foaf:name ?name }}"
            )
        ),
        ["Aix-Marseille Université", "Inria", "La Poste"]
    );
    assert_eq!(
        values(
            &db,
            &format!(
                "SELECT ?role WHERE {{ {chatbot} bia:partnership [ bia:partner/foaf:name \"La Poste\"@fr ; bia:partnerRole ?role ] }}"
            )
        ),
        ["id/concept/role-partenaire/co-financeur"]
    );
    assert_eq!(count(&db, &format!("{chatbot} bia:subTheme ?x")), 2);
    assert_eq!(
        values(
            &db,
            &format!(
                "SELECT ?lat ?long ?url WHERE {{ {chatbot} geo:lat ?lat ; geo:long ?long ; schema:url ?url }}"
            )
        ),
        ["45.764 | 4.8357 | https://www.grandlyon.com"]
    );
    assert_eq!(
        count(&db, "?x foaf:name \"Aix-Marseille Université\"@fr"),
        1,
        "a partner of two projects is one organisation"
    );
    // Paris: coordinates put back in order, values outside the lists kept.
    let paris = "<id/projet/ville-de-paris-assistant-stationnement>";
    assert_eq!(
        values(
            &db,
            &format!("SELECT ?lat WHERE {{ {paris} geo:lat ?lat }}")
        ),
        ["48.8566"]
    );
    assert_eq!(
        values(
            &db,
            &format!("SELECT ?v WHERE {{ {paris} bia:unmatchedValue ?v }}")
        ),
        ["Audience : Martiens", "Sous_Theme : Pêche à la ligne"]
    );
    // Bordeaux: a SIRET that fails its check does not drop the project; the
    // organisation is known by its name and the value kept for the editors.
    let bordeaux = "<id/projet/bordeaux-metropole-tri-du-courrier>";
    assert_eq!(
        values(
            &db,
            &format!("SELECT ?v WHERE {{ {bordeaux} bia:unmatchedValue ?v }}")
        ),
        ["SIRET : 243 300 316 00012"]
    );
    assert_eq!(
        count(
            &db,
            "?x foaf:name \"Bordeaux Métropole\"@fr FILTER NOT EXISTS { ?x bia:siren ?s }"
        ),
        1
    );
    // The agglomération: type by its long name, abandoned, coordinates outside France dropped.
    let agglo = "<id/projet/agglo-du-pays-test-transcription-des-conseils>";
    assert_eq!(
        values(
            &db,
            "SELECT ?t WHERE { ?o foaf:name \"Agglo du Pays Test\"@fr ; bia:organisationType ?t }"
        ),
        ["id/concept/type-organisation/communaute-d-agglomeration"]
    );
    assert_eq!(count(&db, &format!("{agglo} geo:lat ?x")), 0);
    assert_eq!(count(&db, &format!("{agglo} bia:abandonReason ?x")), 1);
    // Rejected rows left nothing behind.
    assert_eq!(count(&db, "?x foaf:name \"Est Ensemble\"@fr"), 0);
    // Editors' data stays out of the public projection.
    let public = projection(&store);
    assert_eq!(count(&public, "?x bia:unmatchedValue ?v"), 0);
    assert_eq!(count(&public, "?x bia:sourceRow ?v"), 0);
    assert_eq!(count(&public, "?x a bia:UseCase"), 5);
}

#[test]
fn importing_the_same_file_twice_leaves_the_store_identical_and_a_corrected_file_updates_in_place()
{
    let store = TestStore::with_model();
    let first = import(&store, "public.csv");
    assert!(first.load.is_some());
    let before = dump(&store);
    let again = import(&store, "public.csv");
    assert!(
        again.load.is_none(),
        "nothing changed, so nothing is written"
    );
    assert_eq!(again.records_written, 0);
    assert_eq!(again.records_unchanged, first.records_written);
    assert_eq!(
        (again.organisations_created, again.organisations_reused),
        (0, 10)
    );
    assert!(dump(&store) == before, "re-import changed the store");

    // The editor corrects one description: same IRI, new content, nothing else moves.
    let text = std::fs::read_to_string(fixture("public.csv")).expect("fixture");
    let corrected = text.replace(
        "Aide à trouver une place.",
        "Aide à trouver une place libre.",
    );
    let report = import_bytes(
        &store.stores,
        "public.csv",
        corrected.as_bytes(),
        &Options::default(),
    )
    .expect("import");
    assert_eq!(
        report.records_written, 1,
        "only the corrected project is rewritten"
    );
    let db = full(&store);
    assert_eq!(
        values(
            &db,
            "SELECT ?d WHERE { <id/projet/ville-de-paris-assistant-stationnement> dcterms:description ?d }"
        ),
        ["Aide à trouver une place libre."]
    );
    assert_eq!(count(&db, "?x a bia:UseCase"), 5);

    // Numbers written in a non-canonical way still compare equal on re-import.
    let padded = corrected.replace("\"45,764\",\"4,8357\"", "\"45,7640\",\"5,0\"");
    assert_ne!(padded, corrected);
    import_bytes(
        &store.stores,
        "public.csv",
        padded.as_bytes(),
        &Options::default(),
    )
    .expect("import");
    let again = import_bytes(
        &store.stores,
        "public.csv",
        padded.as_bytes(),
        &Options::default(),
    )
    .expect("import");
    assert_eq!(
        again.records_written, 0,
        "canonical forms differ from the stored ones"
    );
}

#[test]
fn the_same_use_cases_from_the_comma_then_the_semicolon_layout_are_not_duplicated() {
    let store = TestStore::with_model();
    import(&store, "public.csv");
    let report = import(&store, "legacy.csv");
    assert_eq!(report.layout, Layout::Legacy);
    assert!(
        report.notes.iter().any(|n| n.contains("Windows-1252")),
        "{:?}",
        report.notes
    );
    assert!(report.rejected.is_empty(), "{:#?}", report.rejected);
    assert_eq!(report.imported, 3);
    assert_eq!(
        report.organisations_created, 0,
        "every organisation already exists"
    );
    let db = full(&store);
    assert_eq!(count(&db, "?x a bia:UseCase"), 5);
    assert_eq!(count(&db, "?x a org:Organization"), 10);
    assert_eq!(
        values(
            &db,
            "SELECT ?alt WHERE { <id/organisation/metropole-de-lyon> skos:altLabel ?alt }"
        ),
        ["METROPOLE DE LYON", "Metropole de Lyon"]
    );
    assert_eq!(
        values(
            &db,
            "SELECT ?src WHERE { <id/projet/metropole-de-lyon-chatbot-dechets> dcterms:source ?src }"
        ),
        ["legacy.csv"],
        "the record now says where its current content comes from"
    );
}

#[test]
fn rejected_rows_go_back_to_the_report_and_dry_run_writes_nothing() {
    let store = TestStore::with_model();
    let sizes = store.stores.sizes().expect("sizes");
    let dir = tempfile::tempdir().expect("temp dir");
    let report_path = dir.path().join("rejets.csv");
    let outcome = bibia::cli::import::run(
        &store.stores,
        &fixture("public.csv"),
        &[],
        true,
        Some(&report_path),
    )
    .expect("runs");
    assert_eq!(outcome, Outcome::Rejected);
    assert_eq!(
        store.stores.sizes().expect("sizes"),
        sizes,
        "dry run wrote something"
    );

    let bytes = std::fs::read(&report_path).expect("report written");
    assert!(
        bytes.starts_with(b"\xef\xbb\xbf"),
        "the report keeps the BOM of its source"
    );
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    let headers: Vec<String> = reader
        .headers()
        .expect("headers")
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        headers.first().map(String::as_str),
        Some("Nom_collectivite")
    );
    assert_eq!(headers.last().map(String::as_str), Some("motif_rejet"));
    assert_eq!(headers.len(), 17);
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(
        rows.iter().map(|r| r[0].to_owned()).collect::<Vec<_>>(),
        ["Commune de Nulle-Part", "Est Ensemble"]
    );
    assert!(rows[1][16].contains("thème principal"), "{:?}", rows[1]);

    // Unreadable file and unknown layout: errors (exit code 2).
    assert!(
        bibia::cli::import::run(&store.stores, &fixture("absent.csv"), &[], false, None).is_err()
    );
    let err = import_bytes(&store.stores, "x.csv", b"a;b\n1;2\n", &Options::default())
        .expect_err("unknown layout");
    assert!(err.to_string().contains("en-têtes non reconnus"), "{err}");
}

#[test]
fn full_model_row_becomes_project_algorithm_record_and_contact() {
    let store = TestStore::with_model();
    let report = import(&store, "full.csv");
    assert_eq!(report.layout, Layout::Full);
    assert!(report.rejected.is_empty(), "{:#?}", report.rejected);
    let db = full(&store);
    let p = "<id/projet/departement-de-la-gironde-aide-a-l-instruction-rsa>";
    assert_eq!(
        values(
            &db,
            &format!(
                "SELECT ?mail ?fn WHERE {{ {p} dcat:contactPoint ?c . ?c a vcard:Kind ; vcard:hasEmail ?mail ; vcard:fn ?fn }}"
            )
        ),
        ["mailto:dpo@gironde.fr | Service DPO"]
    );
    assert_eq!(
        values(
            &db,
            &format!(
                "SELECT ?type ?risk ?err WHERE {{ {p} bia:algorithm ?a . ?a a bia:AlgorithmRecord ; bia:algorithmType ?type ; bia:aiActRiskCategory ?risk ; bia:errorLevel ?err }}"
            )
        ),
        [
            "id/concept/type-algorithme/machine-learning | id/concept/risque-ia/risque-limite | id/concept/niveau/faible"
        ]
    );
    assert_eq!(
        values(
            &db,
            &format!("SELECT ?f WHERE {{ {p} bia:fundingSource ?f }}")
        ),
        ["id/concept/financement/fonds-vert"]
    );
    assert_eq!(
        values(
            &db,
            &format!("SELECT ?v WHERE {{ {p} bia:unmatchedValue ?v }}")
        ),
        ["financement : budget participatif"]
    );
    assert_eq!(count(&db, &format!("{p} bia:resourceUrl ?x")), 2);
    assert_eq!(
        values(
            &db,
            &format!(
                "SELECT ?theme ?start WHERE {{ {p} dcat:theme ?theme ; schema:startDate ?start }}"
            )
        ),
        ["id/concept/theme/citoyennete-sante-et-solidarite | 2023-02-01"]
    );
    assert_eq!(
        values(
            &db,
            &format!(
                "SELECT ?name ?role WHERE {{ {p} bia:partnership [ bia:partner/foaf:name ?name ; bia:partnerRole ?role ] }}"
            )
        ),
        ["Aquitaine Data Lab | id/concept/role-partenaire/laboratoire-recherche"]
    );
}

#[test]
fn the_older_layouts_real_header_imports_every_valid_row() {
    let store = TestStore::with_model();
    let report = import(&store, "legacy-network.csv");
    assert_eq!(report.layout, Layout::Legacy);
    assert!(
        report.notes.is_empty(),
        "no column ignored: {:?}",
        report.notes
    );
    assert_eq!(report.rows_read, 4);
    assert!(report.rejected.is_empty(), "{:#?}", report.rejected);
    assert_eq!(report.imported, 4);
    let db = full(&store);
    assert_eq!(count(&db, "?x a bia:UseCase"), 4);
    // projet_date, projet_status, usage_description, audience_service,
    // url_infos, image_url and date are read as their fields.
    assert_eq!(
        values(
            &db,
            "SELECT ?start ?status ?audience ?url ?logo ?modified WHERE { <id/projet/ville-de-nantes-tri-des-courriers-entrants> schema:startDate ?start ; adms:status ?status ; bia:audience ?audience ; schema:url ?url ; schema:logo ?logo ; dcterms:modified ?modified ; dcterms:description \"Classement automatique des courriers reçus par le service.\"@fr }"
        ),
        [
            "2023-04-01 | id/concept/statut/en-deploiement | id/concept/audience/agent | https://www.nantes.fr | https://www.nantes.fr/logo.png | 2024-03-12"
        ]
    );
    assert_eq!(
        values(
            &db,
            "SELECT ?status ?start WHERE { <id/projet/grenoble-prevision-des-crues> adms:status ?status ; schema:startDate ?start }"
        ),
        ["id/concept/statut/terminee | 2021"]
    );
}

#[test]
fn columns_maps_a_file_with_odd_headers() {
    let store = TestStore::with_model();
    let csv = "Structure porteuse;Intitulé;Statut;Résumé;Lancé en;Thématique;Public visé;Remarque\n\
        Ville de Nantes;Tri des courriers;En déploiement;Tri automatique du courrier.;2023;Administration et organisation interne;Agent;à revoir\n";
    // Without a mapping, "Statut" alone is recognised: the import stops
    // before reading any row, naming what is missing.
    let before = store.stores.sizes().expect("sizes");
    let err = import_bytes(
        &store.stores,
        "odd.csv",
        csv.as_bytes(),
        &Options::default(),
    )
    .expect_err("required columns missing");
    let text = err.to_string();
    assert!(
        text.contains("Nom_collectivite (le nom de l'organisation porteuse)")
            && text.contains("Nom_du_projet (le nom du projet)")
            && text.contains("« Remarque »"),
        "{text}"
    );
    assert!(
        text.contains(
            "--columns 'Nom_collectivite=Structure porteuse,Nom_du_projet=Intitulé,Description_service=Résumé,Date_de_demarrage=Lancé en,Theme=Thématique,Audience=Public visé'"
        ),
        "{text}"
    );
    assert_eq!(
        store.stores.sizes().expect("sizes"),
        before,
        "nothing written"
    );

    let columns = [
        ("Nom_collectivite", "structure porteuse"),
        ("nom du projet", "Intitulé"),
        ("Description_service", "Résumé"),
        ("date_de_demarrage", "Lancé en"),
        ("Theme", "Thématique"),
        ("Audience", "Public visé"),
    ]
    .map(|(f, c)| bibia::import::parse_column(&format!("{f}={c}")).expect("mapping"));
    let options = Options {
        columns: columns.to_vec(),
        ..Options::default()
    };
    let report =
        import_bytes(&store.stores, "odd.csv", csv.as_bytes(), &options).expect("import runs");
    assert_eq!(report.layout, Layout::Mapped);
    assert!(report.rejected.is_empty(), "{:#?}", report.rejected);
    assert_eq!(report.imported, 1);
    assert!(
        report
            .notes
            .iter()
            .any(|n| n == "colonne(s) ignorée(s) : Remarque"),
        "{:?}",
        report.notes
    );
    let db = full(&store);
    assert_eq!(
        values(
            &db,
            "SELECT ?title ?start ?status WHERE { ?p a bia:UseCase ; dcterms:title ?title ; schema:startDate ?start ; adms:status ?status ; bia:ledBy/foaf:name \"Ville de Nantes\"@fr }"
        ),
        ["Tri des courriers | 2023 | id/concept/statut/en-deploiement"]
    );
}

#[test]
fn partner_cells_as_the_network_writes_them() {
    let store = TestStore::with_model();
    // A company the store already knows.
    let company = "@prefix bia: <https://w3id.org/bibia/def#> . @prefix org: <http://www.w3.org/ns/org#> . @prefix foaf: <http://xmlns.com/foaf/0.1/> .\n\
        </id/organisation/berger-levrault> a org:Organization, bia:Company ; foaf:name \"Berger-Levrault\"@fr ;\n\
        bia:organisationType </id/concept/type-organisation/entreprise> .";
    let quads = bibia::rdf::parse(
        Path::new("berger-levrault.ttl"),
        RdfFormat::Turtle,
        company.as_bytes(),
        crate::common::BASE,
    )
    .expect("parses");
    store
        .stores
        .load(
            vec![bibia::store::Batch {
                name: "berger-levrault.ttl".into(),
                quads,
                text: None,
            }],
            |_| (),
        )
        .expect("company loads");
    let csv = "Nom_collectivite;Nom_du_projet;Date_de_demarrage;Statut_du_projet;Partenaires;Description_service;mise_en_oeuvre;Theme;Audience\n\
        Ville de Nantes;P2;2023;En déploiement;Orange-Inria-CNRS-Mistral AI;Un service.;;Mobilités;Agent\n\
        Ville de Nantes;P3;2023;En déploiement;Boulogne-Billancourt-Berger-Levrault;Un service.;;Mobilités;Agent\n\
        Ville de Nantes;P4;2023;En déploiement;Berger-Levrault;Un service.;;Mobilités;Agent\n\
        Ville de Nantes;P5;2023;En déploiement;néant;Un service.;;Mobilités;Agent\n\
        Ville de Nantes;P6;2023;En déploiement;/;Un service.;;Mobilités;Agent\n\
        Ville de Nantes;P7;2023;En déploiement;Développé en régie;Un service.;;Mobilités;Agent\n\
        Ville de Nantes;P8;2023;En déploiement;En interne;Un service.;Marché public;Mobilités;Agent\n";
    let report = import_bytes(
        &store.stores,
        "partenaires.csv",
        csv.as_bytes(),
        &Options::default(),
    )
    .expect("import runs");
    assert!(report.rejected.is_empty(), "{:#?}", report.rejected);
    assert_eq!(report.imported, 7);
    let db = full(&store);
    let partners = |n: u32| {
        values(
            &db,
            &format!(
                "SELECT ?name WHERE {{ <id/projet/ville-de-nantes-p{n}> bia:partnership/bia:partner/foaf:name ?name }}"
            ),
        )
    };
    assert_eq!(partners(2), ["CNRS", "Inria", "Mistral AI", "Orange"]);
    assert_eq!(partners(3), ["Berger-Levrault", "Boulogne-Billancourt"]);
    assert_eq!(partners(4), ["Berger-Levrault"]);
    for n in 5..=8 {
        assert!(partners(n).is_empty(), "P{n}: {:?}", partners(n));
    }
    assert_eq!(
        values(
            &db,
            "SELECT ?o WHERE { ?o foaf:name \"Berger-Levrault\"@fr }"
        ),
        ["id/organisation/berger-levrault"],
        "the stored company is reused"
    );
    assert_eq!(
        count(&db, "?x a org:Organization"),
        7,
        "Nantes, Berger-Levrault, Boulogne-Billancourt and four partners of P2"
    );
    let mode = |n: u32| {
        values(
            &db,
            &format!("SELECT ?m WHERE {{ <id/projet/ville-de-nantes-p{n}> bia:deliveryMode ?m }}"),
        )
    };
    assert_eq!(
        mode(7),
        ["id/concept/mise-en-oeuvre/projet-developpe-en-interne"]
    );
    assert_eq!(
        mode(8),
        ["id/concept/mise-en-oeuvre/marche-public"],
        "a delivery mode the row gives is kept"
    );

    let said: Vec<String> = report
        .warnings
        .iter()
        .filter(|w| !w.message.starts_with("SIRET"))
        .map(|w| format!("{}: {}", w.row, w.message))
        .collect();
    assert_eq!(
        said,
        [
            "2: Partenaires « Orange-Inria-CNRS-Mistral AI » : noms joints par des tirets, lus comme 4 partenaires (Orange ; Inria ; CNRS ; Mistral AI)",
            "3: Partenaires « Boulogne-Billancourt-Berger-Levrault » : noms joints par des tirets, lus comme 2 partenaires (Boulogne-Billancourt ; Berger-Levrault)",
            "5: Partenaires « néant » : lu comme « aucun partenaire », aucun partenaire enregistré",
            "6: Partenaires « / » : lu comme « aucun partenaire », aucun partenaire enregistré",
            "7: Partenaires « Développé en régie » : projet réalisé en interne, aucun partenaire enregistré",
            "7: mise_en_oeuvre : « Projet développé en interne », d'après Partenaires",
            "8: Partenaires « En interne » : projet réalisé en interne, aucun partenaire enregistré",
        ]
    );
}

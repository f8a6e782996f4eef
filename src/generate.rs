//! Deterministic synthetic graphs for benchmarks: use cases, organisations,
//! solutions and resources with realistic proportions (themes, statuses,
//! restricted fields), drawn from the bundled vocabularies so that the
//! result conforms to the shapes. Same seed, same bytes.

use crate::iri::BaseIri;
use crate::model::Model;
use oxrdf::NamedNode;
use std::collections::BTreeMap;
use std::io::{self, Write};

/// A small deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + (self.next() % 10) as u8))
            .collect()
    }
}

/// The model's concept schemes, as the generator draws from them.
struct Schemes<'a> {
    index: &'a crate::model::ConceptSchemes,
    /// Each scheme's concept IRIs, sorted.
    iris: BTreeMap<&'a str, Vec<NamedNode>>,
}

impl<'a> Schemes<'a> {
    fn new(index: &'a crate::model::ConceptSchemes) -> Self {
        let iris = index
            .schemes()
            .map(|(name, concepts)| (name, concepts.iter().map(|c| c.iri.clone()).collect()))
            .collect();
        Self { index, iris }
    }

    /// The concepts of `scheme`, sorted by IRI.
    fn get(&self, scheme: &str) -> &[NamedNode] {
        self.iris.get(scheme).map_or(&[], Vec::as_slice)
    }

    fn find(&self, scheme: &str, notation: &str) -> Option<&NamedNode> {
        self.index.by_notation(scheme, notation)
    }
}

const PLACES: &[(&str, f64, f64, &str)] = &[
    ("Lyon", 45.76, 4.83, "region-84"),
    ("Nantes", 47.22, -1.55, "region-52"),
    ("Lille", 50.63, 3.06, "region-32"),
    ("Bordeaux", 44.84, -0.58, "region-75"),
    ("Toulouse", 43.60, 1.44, "region-76"),
    ("Rennes", 48.11, -1.68, "region-53"),
    ("Strasbourg", 48.57, 7.75, "region-44"),
    ("Dijon", 47.32, 5.04, "region-27"),
    ("Orléans", 47.90, 1.90, "region-24"),
    ("Rouen", 49.44, 1.10, "region-28"),
    ("Marseille", 43.30, 5.37, "region-93"),
    ("Ajaccio", 41.93, 8.74, "region-94"),
    ("Saint-Denis", -20.88, 55.45, "region-04"),
    ("Cergy", 49.04, 2.06, "region-11"),
];

const SUBJECTS: &[&str] = &[
    "Assistant conversationnel pour les démarches",
    "Optimisation des tournées de collecte",
    "Détection des dépôts sauvages",
    "Prévision de la fréquentation des cantines",
    "Détection de fuites sur le réseau d'eau",
    "Synthèse des comptes rendus de conseil",
    "Cartographie de la canopée urbaine",
    "Pilotage énergétique des bâtiments",
    "Prévision du trafic aux heures de pointe",
    "Tri automatique du courrier entrant",
    "Analyse des réponses aux marchés publics",
    "Traduction des courriers administratifs",
];

/// Writes a synthetic graph of `projects` use cases as N-Triples (valid
/// Turtle too) with absolute IRIs under `base`.
pub fn generate(
    model: &Model,
    base: &BaseIri,
    projects: usize,
    seed: u64,
    out: &mut impl Write,
) -> io::Result<u64> {
    let schemes = Schemes::new(&model.concepts);
    let mut w = Writer {
        out,
        base: base.as_str().to_owned(),
        count: 0,
    };
    let mut rng = Rng(seed);
    let n_orgs = (projects / 4).max(2);
    let n_solutions = (projects / 40).max(1);
    let n_resources = (projects / 2).max(1);
    let local_types: Vec<&NamedNode> = [
        "commune",
        "communaute-d-agglomeration",
        "communaute-de-communes",
        "metropole",
        "departement",
        "region",
    ]
    .iter()
    .filter_map(|n| schemes.find("type-organisation", n))
    .collect();
    let company_type = schemes.find("type-organisation", "entreprise");

    for i in 0..n_orgs {
        let org = format!("id/organisation/org-{i}");
        let (city, lat, long, region) = *rng.pick(PLACES);
        let company = i % 5 == 4;
        w.iri(&org, "rdf:type", "org:Organization")?;
        w.iri(
            &org,
            "rdf:type",
            if company {
                "bia:Company"
            } else {
                "bia:LocalAuthority"
            },
        )?;
        let name = if company {
            format!("Société numérique {i} de {city}")
        } else {
            format!("Collectivité {i} de {city}")
        };
        w.lit(&org, "foaf:name", &name, "@fr")?;
        w.lit(
            &org,
            "dcterms:description",
            &format!("{name}, organisation fictive générée pour les mesures."),
            "@fr",
        )?;
        let siren = {
            let p = rng.digits(8);
            let c = crate::siren::check_digit(&p);
            format!("{p}{c}")
        };
        let siret = {
            let p = format!("{siren}{}", rng.digits(4));
            let c = crate::siren::check_digit(&p);
            format!("{p}{c}")
        };
        w.lit(&org, "bia:siren", &siren, "")?;
        w.lit(&org, "bia:siret", &siret, "")?;
        let t = if company {
            company_type
        } else {
            local_types.get(i % local_types.len().max(1)).copied()
        };
        if let Some(t) = t {
            w.abs(&org, "bia:organisationType", t.as_str())?;
        }
        w.iri(&org, "bia:territory", &format!("id/territoire/{region}"))?;
        w.typed(
            &org,
            "geo:lat",
            &format!("{:.4}", lat + (rng.below(1000) as f64 - 500.0) / 5000.0),
            "xsd:decimal",
        )?;
        w.typed(
            &org,
            "geo:long",
            &format!("{:.4}", long + (rng.below(1000) as f64 - 500.0) / 5000.0),
            "xsd:decimal",
        )?;
    }
    for i in 0..n_solutions {
        let s = format!("id/solution/solution-{i}");
        w.iri(&s, "rdf:type", "bia:Solution")?;
        w.lit(&s, "schema:name", &format!("Solution {i}"), "@fr")?;
        w.lit(
            &s,
            "dcterms:description",
            &format!("Outil numéro {i} utilisé par plusieurs collectivités."),
            "@fr",
        )?;
        w.abs(
            &s,
            "dcterms:license",
            if i % 2 == 0 {
                "http://spdx.org/licenses/MIT"
            } else {
                "http://spdx.org/licenses/EUPL-1.2"
            },
        )?;
        w.iri(
            &s,
            "schema:provider",
            &format!("id/organisation/org-{}", (i * 5 + 4) % n_orgs),
        )?;
    }
    const KINDS: [&str; 4] = [
        "bia:SourceCode",
        "bia:Dataset",
        "bia:TrainedModel",
        "bia:Document",
    ];
    for i in 0..n_resources {
        let r = format!("id/ressource/ressource-{i}");
        w.iri(&r, "rdf:type", "bia:TechnicalResource")?;
        w.iri(&r, "rdf:type", KINDS[i % 4])?;
        w.lit(&r, "dcterms:title", &format!("Ressource {i}"), "@fr")?;
        w.abs(&r, "dcterms:license", "http://spdx.org/licenses/CC-BY-4.0")?;
        w.abs(
            &r,
            "dcat:accessURL",
            &format!("https://depot.example.fr/ressources/{i}"),
        )?;
        w.iri(
            &r,
            "dcterms:publisher",
            &format!("id/organisation/org-{}", i % n_orgs),
        )?;
    }
    let themes = schemes.get("theme");
    let sub_themes = schemes.get("sous-theme");
    for i in 0..projects {
        let p = format!("id/projet/projet-{i}");
        let org = rng.below(n_orgs);
        w.iri(&p, "rdf:type", "bia:UseCase")?;
        let subject = rng.pick(SUBJECTS);
        w.lit(&p, "dcterms:title", &format!("{subject} n°{i}"), "@fr")?;
        w.lit(&p, "dcterms:description", &format!("{subject} : projet de démonstration synthétique numéro {i}, généré pour les mesures de performance."), "@fr")?;
        w.iri(&p, "bia:ledBy", &format!("id/organisation/org-{org}"))?;
        w.typed(
            &p,
            "schema:startDate",
            &format!("{}-{:02}", 2018 + rng.below(8), 1 + rng.below(12)),
            "xsd:gYearMonth",
        )?;
        w.typed(
            &p,
            "dcterms:modified",
            &format!("2026-{:02}-{:02}", 1 + rng.below(10), 1 + rng.below(28)),
            "xsd:date",
        )?;
        let status = [
            "en-exploration",
            "en-experimentation",
            "en-experimentation",
            "en-deploiement",
            "en-deploiement",
            "terminee",
            "abandonne",
        ][rng.below(7)];
        if let Some(s) = schemes.find("statut", status) {
            w.abs(&p, "adms:status", s.as_str())?;
        }
        if status == "abandonne" {
            w.lit(
                &p,
                "bia:abandonReason",
                "Le prestataire n'a pas pu fournir un modèle suffisamment fiable.",
                "@fr",
            )?;
        }
        if !themes.is_empty() {
            let theme = rng.pick(themes);
            w.abs(&p, "dcat:theme", theme.as_str())?;
            let subs: Vec<&NamedNode> = sub_themes
                .iter()
                .filter(|s| schemes.index.broader(s) == Some(theme))
                .collect();
            if !subs.is_empty() {
                w.abs(&p, "bia:subTheme", rng.pick(&subs).as_str())?;
            }
        }
        for a in 0..=rng.below(2) {
            if let Some(aud) = schemes
                .get("audience")
                .get((i + a * 3) % schemes.get("audience").len().max(1))
            {
                w.abs(&p, "bia:audience", aud.as_str())?;
            }
        }
        w.abs(
            &p,
            "schema:url",
            &format!("https://www.collectivite-{org}.example.fr/ia/{i}"),
        )?;
        if rng.chance(60) {
            let c = format!("{p}#contact");
            w.iri(&p, "dcat:contactPoint", &c)?;
            w.iri(&c, "rdf:type", "vcard:Kind")?;
            w.lit(&c, "vcard:fn", "Service numérique", "")?;
            w.abs(
                &c,
                "vcard:hasEmail",
                &format!("mailto:numerique-{org}@collectivite.example.fr"),
            )?;
            for (prop, scheme) in [
                ("bia:budgetBand", "budget"),
                ("bia:deliveryMode", "mise-en-oeuvre"),
                ("bia:hosting", "hebergement"),
                ("bia:fundingSource", "financement"),
            ] {
                let cs = schemes.get(scheme);
                if !cs.is_empty() {
                    w.abs(&p, prop, rng.pick(cs).as_str())?;
                }
            }
        }
        if rng.chance(40) {
            let a = format!("{p}#algorithme");
            w.iri(&p, "bia:algorithm", &a)?;
            w.iri(&a, "rdf:type", "bia:AlgorithmRecord")?;
            w.lit(&a, "bia:algorithmName", &format!("Modèle {i}"), "@fr")?;
            for (prop, scheme) in [
                ("bia:algorithmType", "type-algorithme"),
                ("bia:dataSource", "source-donnees"),
                ("bia:dataAccess", "acces-donnees"),
                ("bia:explainabilityLevel", "niveau"),
            ] {
                let cs = schemes.get(scheme);
                if !cs.is_empty() {
                    w.abs(&a, prop, rng.pick(cs).as_str())?;
                }
            }
            let risk = if rng.chance(10) {
                "risque-eleve"
            } else {
                "risque-minimal"
            };
            if let Some(r) = schemes.find("risque-ia", risk) {
                w.abs(&a, "bia:aiActRiskCategory", r.as_str())?;
            }
            w.lit(
                &a,
                "bia:humanOversight",
                "Chaque proposition est validée par un agent avant toute décision.",
                "@fr",
            )?;
            w.lit(
                &a,
                "bia:objectionProcedure",
                "Recours auprès du service par courrier ou formulaire en ligne.",
                "@fr",
            )?;
        }
        if rng.chance(30) {
            w.iri(
                &p,
                "bia:usesSolution",
                &format!("id/solution/solution-{}", rng.below(n_solutions)),
            )?;
        }
        if rng.chance(40) {
            w.iri(
                &p,
                "bia:hasResource",
                &format!("id/ressource/ressource-{}", rng.below(n_resources)),
            )?;
        }
    }
    Ok(w.count)
}

struct Writer<'a, W: Write> {
    out: &'a mut W,
    base: String,
    count: u64,
}

fn expand(curie: &str) -> String {
    let (prefix, local) = curie.split_once(':').unwrap_or(("", curie));
    let ns = match prefix {
        "rdf" => "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        _ => crate::vocab::PREFIXES
            .iter()
            .find(|(p, _)| *p == prefix)
            .map_or("", |(_, ns)| ns),
    };
    format!("{ns}{local}")
}

impl<W: Write> Writer<'_, W> {
    fn subject(&self, rel: &str) -> String {
        if rel.contains("://") {
            rel.to_owned()
        } else {
            format!("{}{rel}", self.base)
        }
    }

    fn iri(&mut self, s: &str, p: &str, o: &str) -> io::Result<()> {
        let o = if o.starts_with("id/") || o.contains("://") {
            self.subject(o)
        } else {
            expand(o)
        };
        self.abs(s, p, &o)
    }

    fn abs(&mut self, s: &str, p: &str, o: &str) -> io::Result<()> {
        self.count += 1;
        writeln!(self.out, "<{}> <{}> <{o}> .", self.subject(s), expand(p))
    }

    fn lit(&mut self, s: &str, p: &str, value: &str, lang: &str) -> io::Result<()> {
        self.count += 1;
        let value = value.replace('\\', "\\\\").replace('"', "\\\"");
        writeln!(
            self.out,
            "<{}> <{}> \"{value}\"{lang} .",
            self.subject(s),
            expand(p)
        )
    }

    fn typed(&mut self, s: &str, p: &str, value: &str, datatype: &str) -> io::Result<()> {
        self.count += 1;
        writeln!(
            self.out,
            "<{}> <{}> \"{value}\"^^<{}> .",
            self.subject(s),
            expand(p),
            expand(datatype)
        )
    }
}

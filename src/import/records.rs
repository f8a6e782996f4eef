//! From spreadsheet rows to RDF records: each row is cleaned and matched
//! ([`prepare`]), then the organisations of all rows are resolved against
//! each other and the store, and the project and organisation records are
//! written ([`build`]). Every record is a set of quads in its own named graph.

use super::concepts::Concepts;
use super::interconnectes::{Field, Row};
use super::normalize::{self, Identifier, PartialDate};
use super::partners::{self, KnownNames};
use crate::iri::{BaseIri, fold, slug};
use crate::store::{OrganisationIndex, StoreError, Stores};
use crate::vocab::{adms, bia, dcat, dcterms, foaf, geo, org, prov, schema, skos, vcard};
use oxigraph::model::{
    GraphName, Literal, NamedNode, NamedNodeRef, Quad, Term, vocab::rdf, vocab::xsd,
};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// What every record of one import shares.
pub(crate) struct Context<'a> {
    pub(crate) base: &'a BaseIri,
    pub(crate) concepts: &'a Concepts,
    /// The file name recorded as `dcterms:source`.
    pub(crate) source: &'a str,
    /// The `prov:generatedAtTime` of this run.
    pub(crate) generated: Literal,
}

type Props = Vec<(NamedNode, Term)>;

/// The abandon reason written when the layout cannot give one.
pub(crate) const ABANDON_PLACEHOLDER: &str =
    "Raison de l'abandon non renseignée : le fichier importé n'a pas de colonne status_abandon.";

/// A row cleaned and matched, before its organisations are resolved.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    /// Spreadsheet row number.
    pub(crate) row: usize,
    title: String,
    org_name: String,
    id: Option<Identifier>,
    org_type: Option<NamedNode>,
    partners: Vec<(String, Option<NamedNode>)>,
    project: Props,
    algorithm: Props,
    contact: Props,
    /// Messages for the editors (values kept as `bia:unmatchedValue`,
    /// coordinates moved or dropped...).
    pub(crate) warnings: Vec<String>,
}

fn fr(text: &str) -> Term {
    Literal::new_language_tagged_literal_unchecked(text, "fr").into()
}

fn typed(value: &str, datatype: NamedNodeRef<'_>) -> Term {
    Literal::new_typed_literal(value, datatype).into()
}

/// Collects the values of one row.
struct Cells<'r, 'c> {
    row: &'r Row,
    concepts: &'c Concepts,
    warnings: Vec<String>,
    unmatched: Vec<String>,
}

impl Cells<'_, '_> {
    fn inline(&self, f: Field) -> String {
        normalize::inline(self.row.get(f))
    }

    fn keep(&mut self, f: Field, value: &str, why: &str) {
        self.warnings.push(format!(
            "{} « {value} » {why} : valeur conservée telle quelle",
            f.name()
        ));
        self.unmatched.push(format!("{} : {value}", f.name()));
    }

    fn text(&self, f: Field, p: NamedNodeRef<'_>, props: &mut Props) {
        let t = normalize::text(self.row.get(f));
        if !t.is_empty() {
            props.push((p.into(), fr(&t)));
        }
    }

    /// A single-valued list field.
    fn one(&mut self, f: Field, scheme: &str) -> Option<NamedNode> {
        let v = self.inline(f);
        if v.is_empty() {
            return None;
        }
        match self.concepts.find(scheme, &v) {
            Some(c) => Some(c.clone()),
            None => {
                self.keep(f, &v, "ne correspond à aucune valeur de la liste");
                None
            }
        }
    }

    fn one_into(&mut self, f: Field, scheme: &str, p: NamedNodeRef<'_>, props: &mut Props) {
        if let Some(c) = self.one(f, scheme) {
            props.push((p.into(), c.into()));
        }
    }

    /// A multi-valued list field.
    fn many(&mut self, f: Field, scheme: &str) -> Vec<NamedNode> {
        let raw = self.row.get(f);
        if raw.trim().is_empty() {
            return Vec::new();
        }
        let (found, unmatched) = self.concepts.find_many(scheme, raw);
        for v in unmatched {
            self.keep(f, &v, "ne correspond à aucune valeur de la liste");
        }
        found
    }

    fn many_into(&mut self, f: Field, scheme: &str, p: NamedNodeRef<'_>, props: &mut Props) {
        for c in self.many(f, scheme) {
            props.push((p.into(), c.into()));
        }
    }

    fn url_into(&mut self, f: Field, p: NamedNodeRef<'_>, props: &mut Props, several: bool) {
        let raw = self.row.get(f).trim().to_owned();
        if raw.is_empty() {
            return;
        }
        let pieces: Vec<&str> = if several {
            raw.split([' ', '\n', ',', ';'])
                .filter(|s| !s.is_empty())
                .collect()
        } else {
            vec![&raw]
        };
        for piece in pieces {
            match normalize::url(piece) {
                Some(u) => props.push((p.into(), NamedNode::new_unchecked(u).into())),
                None => self.keep(f, &normalize::inline(piece), "n'est pas une adresse web"),
            }
        }
    }

    fn date(&mut self, f: Field) -> Option<PartialDate> {
        let v = self.inline(f);
        if v.is_empty() {
            return None;
        }
        let d = normalize::date(&v);
        if d.is_none() {
            self.keep(
                f,
                &v,
                "n'est pas une date lisible (attendu JJ/MM/AAAA, MM/AAAA ou AAAA)",
            );
        }
        d
    }

    fn coordinates(&mut self, props: &mut Props) {
        let (lat_raw, long_raw) = (self.inline(Field::Latitude), self.inline(Field::Longitude));
        if lat_raw.is_empty() && long_raw.is_empty() {
            return;
        }
        let (Some((lat, la)), Some((long, lo))) = (
            normalize::coordinate(&lat_raw),
            normalize::coordinate(&long_raw),
        ) else {
            for (f, v) in [(Field::Latitude, &lat_raw), (Field::Longitude, &long_raw)] {
                if !v.is_empty() {
                    self.keep(f, v, "coordonnée illisible ou incomplète");
                }
            }
            return;
        };
        let (lat, long) = if normalize::french_area(la, lo).is_some() {
            (lat, long)
        } else if normalize::french_area(lo, la).is_some() {
            self.warnings.push(format!(
                "latitude {lat} et longitude {long} inversées : remises dans l'ordre"
            ));
            (long, lat)
        } else {
            self.keep(
                Field::Latitude,
                &lat_raw,
                "hors de France (métropole et outre-mer)",
            );
            self.keep(
                Field::Longitude,
                &long_raw,
                "hors de France (métropole et outre-mer)",
            );
            return;
        };
        props.push((geo::LAT.into(), typed(&lat, xsd::DECIMAL)));
        props.push((geo::LONG.into(), typed(&long, xsd::DECIMAL)));
    }
}

/// What every row of one file is prepared with.
pub(crate) struct Rules<'a> {
    pub(crate) concepts: &'a Concepts,
    /// The names whose dashes do not separate partners.
    pub(crate) names: &'a KnownNames,
    /// Whether the layout has `status_abandon`: when it has not (public
    /// export, older layout) and the project is abandoned, a placeholder
    /// reason is written, with a warning, since the file cannot give one.
    pub(crate) has_abandon_column: bool,
}

/// Cleans and matches one row. `Err` gives why the row cannot be imported.
pub(crate) fn prepare(row: &Row, rules: &Rules<'_>) -> Result<Prepared, String> {
    let concepts = rules.concepts;
    let mut c = Cells {
        row,
        concepts,
        warnings: Vec::new(),
        unmatched: Vec::new(),
    };
    let title = c.inline(Field::NomDuProjet);
    let org_name = c.inline(Field::NomCollectivite);
    let mut missing = Vec::new();
    if title.is_empty() {
        missing.push("nom du projet (Nom_du_projet) manquant");
    }
    if org_name.is_empty() {
        missing.push("nom de la collectivité (Nom_collectivite) manquant");
    }
    if !missing.is_empty() {
        return Err(missing.join(" ; "));
    }
    // A mistyped SIRET does not drop the project: the organisation is
    // recognised by its name and the value kept for the editors.
    let raw_siret = c.inline(Field::Siret);
    let id = normalize::siret(&raw_siret).unwrap_or_else(|e| {
        c.keep(
            Field::Siret,
            &raw_siret,
            &format!("invalide ({e}) ; l'organisation est reconnue par son nom"),
        );
        None
    });
    match &id {
        None if raw_siret.is_empty() => c
            .warnings
            .push("SIRET absent : l'organisation est reconnue par son nom".to_owned()),
        None => {}
        Some(Identifier::Siren(_)) => c
            .warnings
            .push("9 chiffres : SIREN donné à la place du SIRET".to_owned()),
        Some(Identifier::Siret(_)) => {}
    }

    let mut project: Props = vec![(dcterms::TITLE.into(), fr(&title))];
    c.coordinates(&mut project);
    let org_type = c.one(Field::TypeDeCollectivite, "type-organisation");
    if let Some(d) = c.date(Field::DateDeDemarrage) {
        let datatype = match d {
            PartialDate::Year(_) => xsd::G_YEAR,
            PartialDate::YearMonth(..) => xsd::G_YEAR_MONTH,
            PartialDate::Date(..) => xsd::DATE,
        };
        project.push((schema::START_DATE.into(), typed(&d.lexical(), datatype)));
    }
    let status = c.one(Field::StatutDuProjet, "statut");
    if let Some(s) = &status {
        project.push((adms::STATUS.into(), s.clone().into()));
        if !rules.has_abandon_column && last_segment(s) == "abandonne" {
            project.push((bia::ABANDON_REASON.into(), fr(ABANDON_PLACEHOLDER)));
            c.warnings.push("projet abandonné sans raison (le fichier n'a pas de colonne status_abandon) : à compléter".to_owned());
        }
    }
    c.text(Field::StatusAbandon, bia::ABANDON_REASON, &mut project);
    c.many_into(
        Field::Financement,
        "financement",
        bia::FUNDING_SOURCE,
        &mut project,
    );
    c.one_into(Field::Budget, "budget", bia::BUDGET_BAND, &mut project);
    c.text(
        Field::DescriptionService,
        dcterms::DESCRIPTION,
        &mut project,
    );
    c.many_into(
        Field::MiseEnOeuvre,
        "mise-en-oeuvre",
        bia::DELIVERY_MODE,
        &mut project,
    );
    let themes = c.many(Field::Theme, "theme");
    if let Some((first, others)) = themes.split_first() {
        project.push((dcat::THEME.into(), first.clone().into()));
        for t in others {
            let label = t.as_str().rsplit('/').next().unwrap_or_default().to_owned();
            c.keep(
                Field::Theme,
                &label,
                "est un thème de plus : un seul thème principal est retenu (le premier)",
            );
        }
    }
    c.many_into(Field::SousTheme, "sous-theme", bia::SUB_THEME, &mut project);
    c.many_into(Field::Audience, "audience", bia::AUDIENCE, &mut project);
    c.many_into(
        Field::Herbergement,
        "hebergement",
        bia::HOSTING,
        &mut project,
    );
    c.url_into(Field::UrlService, schema::URL, &mut project, false);
    c.url_into(Field::UrlRessources, bia::RESOURCE_URL, &mut project, true);
    c.url_into(Field::UrlLogo, schema::LOGO, &mut project, false);
    if let Some(d) = c.date(Field::DateDeDerniereMiseAJour) {
        if let PartialDate::Date(..) = d {
            project.push((dcterms::MODIFIED.into(), typed(&d.lexical(), xsd::DATE)));
        } else {
            let v = c.inline(Field::DateDeDerniereMiseAJour);
            c.keep(
                Field::DateDeDerniereMiseAJour,
                &v,
                "n'est pas une date complète (JJ/MM/AAAA)",
            );
        }
    }

    let mut algorithm = Props::new();
    for (f, p) in [
        (Field::NomAlgorithme, bia::ALGORITHM_NAME),
        (Field::AlgorithmeDescription, bia::ALGORITHM_DESCRIPTION),
        (Field::AlgorithmeOperations, bia::ALGORITHM_OPERATIONS),
        (Field::ImpactEnvironnement, bia::ENVIRONMENTAL_IMPACT),
        (Field::Risque, bia::RISK_ASSESSMENT),
        (Field::Proportionalite, bia::PROPORTIONALITY),
        (Field::Decision, bia::DECISION_SCOPE),
        (Field::Reversibilite, bia::REVERSIBILITY),
        (Field::Objection, bia::OBJECTION_PROCEDURE),
    ] {
        c.text(f, p, &mut algorithm);
    }
    c.many_into(
        Field::TypeAlgorithme,
        "type-algorithme",
        bia::ALGORITHM_TYPE,
        &mut algorithm,
    );
    c.many_into(
        Field::DonneesSource,
        "source-donnees",
        bia::DATA_SOURCE,
        &mut algorithm,
    );
    c.many_into(
        Field::DonneesAcces,
        "acces-donnees",
        bia::DATA_ACCESS,
        &mut algorithm,
    );
    c.one_into(
        Field::RisqueCategorie,
        "risque-ia",
        bia::AI_ACT_RISK_CATEGORY,
        &mut algorithm,
    );
    c.one_into(Field::Erreur, "niveau", bia::ERROR_LEVEL, &mut algorithm);
    c.one_into(
        Field::Explicabilite,
        "niveau",
        bia::EXPLAINABILITY_LEVEL,
        &mut algorithm,
    );

    let contact = contact(&normalize::text(row.get(Field::ProjetContact)));
    let cell = partners::read(row.get(Field::Partenaires), rules.names, concepts);
    c.warnings.extend(cell.warnings);
    if cell.in_house
        && let Some(mode) = concepts.by_notation(partners::IN_HOUSE.0, partners::IN_HOUSE.1)
        && c.inline(Field::MiseEnOeuvre).is_empty()
    {
        project.push((bia::DELIVERY_MODE.into(), mode.clone().into()));
        c.warnings.push(
            "mise_en_oeuvre : « Projet développé en interne », d'après Partenaires".to_owned(),
        );
    }
    let partners = cell
        .names
        .iter()
        .map(|p| partner_role(p, concepts))
        .collect();
    for u in std::mem::take(&mut c.unmatched) {
        project.push((bia::UNMATCHED_VALUE.into(), Literal::from(u).into()));
    }
    Ok(Prepared {
        row: row.number,
        title,
        org_name,
        id,
        org_type,
        partners,
        project,
        algorithm,
        contact,
        warnings: c.warnings,
    })
}

/// A contact cell: e-mail addresses become `vcard:hasEmail <mailto:…>`,
/// the rest the contact's name.
fn contact(text: &str) -> Props {
    if text.is_empty() {
        return Props::new();
    }
    let mut props = Props::new();
    let mut rest = Vec::new();
    for word in
        text.split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '<' | '>' | '(' | ')'))
    {
        let w = word
            .trim_start_matches("mailto:")
            .trim_matches(|c: char| c == '.' || c == ':');
        let is_email = w
            .split_once('@')
            .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.contains('@'));
        if is_email && let Ok(n) = NamedNode::new(format!("mailto:{w}")) {
            props.push((vcard::HAS_EMAIL.into(), n.into()));
            continue;
        }
        if !word.is_empty() {
            rest.push(word);
        }
    }
    let name = rest.join(" ");
    let name = name.trim_matches(|c: char| c.is_whitespace() || matches!(c, '-' | ':' | ','));
    if !name.is_empty() {
        props.insert(0, (vcard::FN.into(), Literal::from(name).into()));
    }
    props
}

/// "Inria (laboratoire)" → ("Inria", role laboratoire / recherche) when the
/// parenthesis names a role; otherwise the whole text is the name.
fn partner_role(text: &str, concepts: &Concepts) -> (String, Option<NamedNode>) {
    if let Some(open) = text.rfind('(')
        && text.ends_with(')')
    {
        let inner = &text[open + 1..text.len() - 1];
        if let Some(role) = concepts.find("role-partenaire", inner) {
            return (text[..open].trim().to_owned(), Some(role.clone()));
        }
    }
    (text.to_owned(), None)
}

/// An organisation as this import sees it.
#[derive(Debug)]
struct Draft {
    iri: NamedNode,
    /// Already in the store (its stored record is merged, not replaced).
    stored: bool,
    spellings: Vec<String>,
    siren: Option<String>,
    sirets: BTreeSet<String>,
    org_type: Option<NamedNode>,
    first_row: usize,
}

/// Organisations met in the file, deduplicated by SIREN then by folded name,
/// reusing stored organisations.
struct Registry<'a> {
    stores: &'a Stores,
    index: &'a OrganisationIndex,
    base: &'a BaseIri,
    drafts: Vec<Draft>,
    by_iri: HashMap<NamedNode, usize>,
    by_siren: HashMap<String, usize>,
    by_name: HashMap<String, usize>,
}

impl Registry<'_> {
    fn resolve(
        &mut self,
        name: &str,
        siren: Option<&str>,
        row: usize,
    ) -> Result<usize, StoreError> {
        let key = fold(name);
        let compatible = |other: Option<&str>| siren.is_none() || other.is_none() || other == siren;
        let mut found = siren.and_then(|s| self.by_siren.get(s).copied());
        if found.is_none()
            && let Some(iri) = siren.and_then(|s| self.index.by_siren.get(s))
        {
            found = Some(self.draft(iri.clone(), true, row));
        }
        if found.is_none() {
            found = self
                .by_name
                .get(&key)
                .copied()
                .filter(|&i| compatible(self.drafts[i].siren.as_deref()));
        }
        if found.is_none()
            && let Some(iri) = self.index.by_name.get(&key)
        {
            let stored_siren = self.index.siren_of.get(iri).cloned().flatten();
            if compatible(stored_siren.as_deref()) {
                found = Some(self.draft(iri.clone(), true, row));
            }
        }
        let i = match found {
            Some(i) => i,
            None => {
                let iri = self.fresh_iri(name, siren)?;
                self.draft(iri, false, row)
            }
        };
        let d = &mut self.drafts[i];
        if !d.spellings.iter().any(|s| s == name) {
            d.spellings.push(name.to_owned());
        }
        if d.siren.is_none() {
            d.siren = siren.map(str::to_owned);
        }
        if let Some(s) = &d.siren {
            self.by_siren.entry(s.clone()).or_insert(i);
        }
        self.by_name.entry(key).or_insert(i);
        Ok(i)
    }

    fn draft(&mut self, iri: NamedNode, stored: bool, row: usize) -> usize {
        if let Some(&i) = self.by_iri.get(&iri) {
            return i;
        }
        let siren = if stored {
            self.index.siren_of.get(&iri).cloned().flatten()
        } else {
            None
        };
        self.drafts.push(Draft {
            iri: iri.clone(),
            stored,
            spellings: Vec::new(),
            siren,
            sirets: BTreeSet::new(),
            org_type: None,
            first_row: row,
        });
        let i = self.drafts.len() - 1;
        self.by_iri.insert(iri, i);
        i
    }

    /// `/id/organisation/{slug(name)}`, or with the SIREN (or a counter)
    /// appended when that IRI is already another organisation's.
    fn fresh_iri(&self, name: &str, siren: Option<&str>) -> Result<NamedNode, StoreError> {
        let s = slug(name);
        let mut candidates = vec![s.clone()];
        if let Some(siren) = siren {
            candidates.push(format!("{s}-{siren}"));
        }
        candidates.extend((2..1000).map(|n| format!("{s}-{n}")));
        for c in candidates {
            let iri = self.base.join(&format!("id/organisation/{c}"));
            if !self.by_iri.contains_key(&iri)
                && !self.index.siren_of.contains_key(&iri)
                && !self.stores.has_subject(&iri)?
            {
                return Ok(iri);
            }
        }
        Ok(self
            .base
            .join(&format!("id/organisation/{s}-{}", self.drafts.len())))
    }
}

/// The records built from the prepared rows.
#[derive(Debug, Default)]
pub(crate) struct Built {
    /// Record IRI → its quads (in the record's graph).
    pub(crate) records: BTreeMap<NamedNode, Vec<Quad>>,
    /// Record IRI → the rows (indexes in the prepared list) it comes from.
    pub(crate) rows_of: HashMap<NamedNode, Vec<usize>>,
    /// Rows refused while building (index, reason).
    pub(crate) refused: Vec<(usize, String)>,
    /// Rows that repeat an earlier row exactly (index, earlier row number).
    pub(crate) repeated: Vec<(usize, usize)>,
    /// Organisations this import creates.
    pub(crate) created: BTreeSet<NamedNode>,
    /// Stored organisations this import reuses.
    pub(crate) reused: BTreeSet<NamedNode>,
}

fn last_segment(iri: &NamedNode) -> &str {
    iri.as_str().rsplit('/').next().unwrap_or_default()
}

/// The specific class of an organisation type concept.
fn class_of(org_type: &NamedNode) -> NamedNodeRef<'static> {
    match last_segment(org_type) {
        "operateur" => bia::PUBLIC_OPERATOR,
        "entreprise" => bia::COMPANY,
        "laboratoire" => bia::RESEARCH_LAB,
        "association" => bia::ASSOCIATION,
        "service-de-l-etat" => bia::STATE_SERVICE,
        _ => bia::LOCAL_AUTHORITY,
    }
}

const KINDS: [NamedNodeRef<'static>; 6] = [
    bia::LOCAL_AUTHORITY,
    bia::PUBLIC_OPERATOR,
    bia::COMPANY,
    bia::RESEARCH_LAB,
    bia::ASSOCIATION,
    bia::STATE_SERVICE,
];

/// Whether a predicate is record provenance (replaced by each import).
pub(crate) fn is_provenance(p: NamedNodeRef<'_>) -> bool {
    p == dcterms::SOURCE || p == bia::SOURCE_ROW || p == prov::GENERATED_AT_TIME
}

/// Resolves the organisations of `rows` (skipping those in `skip`) and
/// writes every record.
pub(crate) fn build(
    stores: &Stores,
    index: &OrganisationIndex,
    rows: &[Prepared],
    skip: &BTreeSet<usize>,
    cx: &Context<'_>,
) -> Result<Built, StoreError> {
    let mut reg = Registry {
        stores,
        index,
        base: cx.base,
        drafts: Vec::new(),
        by_iri: HashMap::new(),
        by_siren: HashMap::new(),
        by_name: HashMap::new(),
    };
    let mut built = Built::default();
    let mut project_rows: HashMap<NamedNode, (usize, Vec<Quad>)> = HashMap::new();
    let default_role = cx
        .concepts
        .by_notation("role-partenaire", "partenaire")
        .cloned();
    for (i, p) in rows.iter().enumerate() {
        if skip.contains(&i) {
            continue;
        }
        let leader = reg.resolve(&p.org_name, p.id.as_ref().map(Identifier::siren), p.row)?;
        {
            let d = &mut reg.drafts[leader];
            if let Some(s) = p.id.as_ref().and_then(Identifier::siret) {
                d.sirets.insert(s.to_owned());
            }
            if d.org_type.is_none() {
                d.org_type.clone_from(&p.org_type);
            }
        }
        let leader_iri = reg.drafts[leader].iri.clone();
        let subject = cx.base.join(&format!(
            "id/projet/{}",
            slug(&format!("{}-{}", last_segment(&leader_iri), p.title))
        ));
        let g = GraphName::from(subject.clone());
        let mut quads = vec![
            Quad::new(subject.clone(), rdf::TYPE, bia::USE_CASE, g.clone()),
            Quad::new(subject.clone(), bia::LED_BY, leader_iri.clone(), g.clone()),
        ];
        quads.extend(
            p.project
                .iter()
                .map(|(pr, o)| Quad::new(subject.clone(), pr.clone(), o.clone(), g.clone())),
        );
        let mut partners_seen = BTreeSet::new();
        for (name, role) in &p.partners {
            let k = reg.resolve(name, None, p.row)?;
            let partner = reg.drafts[k].iri.clone();
            if partner == leader_iri || !partners_seen.insert(partner.clone()) {
                continue;
            }
            let node = NamedNode::new_unchecked(format!(
                "{}#partenariat-{}",
                subject.as_str(),
                last_segment(&partner)
            ));
            quads.push(Quad::new(
                subject.clone(),
                bia::PARTNERSHIP_LINK,
                node.clone(),
                g.clone(),
            ));
            quads.push(Quad::new(
                node.clone(),
                rdf::TYPE,
                bia::PARTNERSHIP,
                g.clone(),
            ));
            quads.push(Quad::new(node.clone(), bia::PARTNER, partner, g.clone()));
            if let Some(role) = role.as_ref().or(default_role.as_ref()) {
                quads.push(Quad::new(node, bia::PARTNER_ROLE, role.clone(), g.clone()));
            }
        }
        for (fragment, class, link, props) in [
            ("contact", vcard::KIND, dcat::CONTACT_POINT, &p.contact),
            (
                "algorithme",
                bia::ALGORITHM_RECORD,
                bia::ALGORITHM,
                &p.algorithm,
            ),
        ] {
            if props.is_empty() {
                continue;
            }
            let node = NamedNode::new_unchecked(format!("{}#{fragment}", subject.as_str()));
            quads.push(Quad::new(subject.clone(), link, node.clone(), g.clone()));
            quads.push(Quad::new(node.clone(), rdf::TYPE, class, g.clone()));
            quads.extend(
                props
                    .iter()
                    .map(|(pr, o)| Quad::new(node.clone(), pr.clone(), o.clone(), g.clone())),
            );
        }
        if let Some((earlier, content)) = project_rows.get(&subject) {
            if *content == quads {
                built.repeated.push((i, rows[*earlier].row));
            } else {
                built.refused.push((
                    i,
                    format!(
                        "même projet (même organisation, même nom) que la ligne {} avec un contenu différent : fusionnez les deux lignes",
                        rows[*earlier].row
                    ),
                ));
            }
            continue;
        }
        project_rows.insert(subject.clone(), (i, quads.clone()));
        quads.extend(provenance(&subject, p.row, cx));
        for q in &quads {
            if (q.predicate.as_ref() == bia::LED_BY || q.predicate.as_ref() == bia::PARTNER)
                && let Term::NamedNode(o) = &q.object
            {
                built.rows_of.entry(o.clone()).or_default().push(i);
            }
        }
        built.rows_of.entry(subject.clone()).or_default().push(i);
        built.records.insert(subject, quads);
    }
    for d in &reg.drafts {
        if !built.rows_of.contains_key(&d.iri) {
            continue;
        }
        built
            .records
            .insert(d.iri.clone(), organisation(stores, d, cx)?);
        if d.stored {
            built.reused.insert(d.iri.clone());
        } else {
            built.created.insert(d.iri.clone());
        }
    }
    Ok(built)
}

fn provenance(subject: &NamedNode, row: usize, cx: &Context<'_>) -> Vec<Quad> {
    let g = GraphName::from(
        cx.base
            .record_of(subject.as_ref())
            .unwrap_or_else(|| subject.clone()),
    );
    vec![
        Quad::new(
            subject.clone(),
            dcterms::SOURCE,
            Literal::from(cx.source),
            g.clone(),
        ),
        Quad::new(
            subject.clone(),
            bia::SOURCE_ROW,
            Literal::new_typed_literal(row.to_string(), xsd::INTEGER),
            g.clone(),
        ),
        Quad::new(
            subject.clone(),
            prov::GENERATED_AT_TIME,
            cx.generated.clone(),
            g,
        ),
    ]
}

/// An organisation record: the stored one (if any) with what the file adds
/// (spellings as `skos:altLabel`, SIREN, SIRETs, and the type, which the
/// file may correct), and this import's provenance.
fn organisation(stores: &Stores, d: &Draft, cx: &Context<'_>) -> Result<Vec<Quad>, StoreError> {
    let g = GraphName::from(d.iri.clone());
    let s = &d.iri;
    let mut quads: Vec<Quad> = if d.stored {
        stores
            .graph_quads(&d.iri.clone().into())?
            .into_iter()
            .filter(|q| !is_provenance(q.predicate.as_ref()))
            .collect()
    } else {
        Vec::new()
    };
    let names: Vec<String> = quads
        .iter()
        .filter(|q| {
            q.subject == s.clone().into()
                && (q.predicate.as_ref() == foaf::NAME || q.predicate.as_ref() == skos::ALT_LABEL)
        })
        .filter_map(|q| {
            if let Term::Literal(l) = &q.object {
                Some(l.value().to_owned())
            } else {
                None
            }
        })
        .collect();
    let add = |p: NamedNodeRef<'_>, o: Term, quads: &mut Vec<Quad>| {
        let q = Quad::new(s.clone(), p, o, g.clone());
        if !quads.contains(&q) {
            quads.push(q);
        }
    };
    add(rdf::TYPE, org::ORGANIZATION.into(), &mut quads);
    let mut spellings = d.spellings.iter();
    if names.is_empty()
        && let Some(first) = spellings.next()
    {
        add(foaf::NAME, fr(first), &mut quads);
    }
    for other in spellings {
        if !names.contains(other) {
            add(skos::ALT_LABEL, fr(other), &mut quads);
        }
    }
    let has = |quads: &[Quad], p: NamedNodeRef<'_>| {
        quads
            .iter()
            .any(|q| q.subject == s.clone().into() && q.predicate.as_ref() == p)
    };
    if let Some(siren) = &d.siren
        && !has(&quads, bia::SIREN)
    {
        add(bia::SIREN, Literal::from(siren.as_str()).into(), &mut quads);
    }
    for siret in &d.sirets {
        add(bia::SIRET, Literal::from(siret.as_str()).into(), &mut quads);
    }
    if let Some(t) = &d.org_type {
        quads.retain(|q| {
            !(q.predicate.as_ref() == bia::ORGANISATION_TYPE
                || q.predicate.as_ref() == rdf::TYPE
                    && KINDS.iter().any(|k| q.object == Term::from(*k)))
        });
        add(bia::ORGANISATION_TYPE, t.clone().into(), &mut quads);
        add(rdf::TYPE, class_of(t).into(), &mut quads);
    }
    quads.extend(provenance(s, d.first_row, cx));
    Ok(quads)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contact_cells() {
        let c = contact("Service DPO - dpo@ville.fr");
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].1, Literal::from("Service DPO").into());
        assert_eq!(
            c[1].1,
            NamedNode::new_unchecked("mailto:dpo@ville.fr").into()
        );
        assert_eq!(contact("Mme Martin").len(), 1);
    }
}

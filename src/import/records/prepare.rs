//! One spreadsheet row cleaned and matched to the vocabularies
//! ([`prepare`]), before its organisations are resolved.

use super::*;

/// The abandon reason written when the layout cannot give one.
const ABANDON_PLACEHOLDER: &str =
    "Raison de l'abandon non renseignée : le fichier importé n'a pas de colonne status_abandon.";

/// A row cleaned and matched, before its organisations are resolved.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    /// Spreadsheet row number.
    pub(crate) row: usize,
    pub(super) title: String,
    pub(super) org_name: String,
    pub(super) id: Option<Identifier>,
    pub(super) org_type: Option<NamedNode>,
    pub(super) partners: Vec<(String, Option<NamedNode>)>,
    pub(super) project: Props,
    pub(super) algorithm: Props,
    pub(super) contact: Props,
    /// Messages for the editors (values kept as `bia:unmatchedValue`,
    /// coordinates moved or dropped...).
    pub(crate) warnings: Vec<String>,
}

/// Collects the values of one row.
pub(super) struct Cells<'r, 'c> {
    pub(super) row: &'r Row,
    pub(super) concepts: &'c Concepts,
    pub(super) warnings: Vec<String>,
    pub(super) unmatched: Vec<String>,
}

impl Cells<'_, '_> {
    pub(super) fn inline(&self, f: Field) -> String {
        normalize::inline(self.row.get(f))
    }

    pub(super) fn keep(&mut self, f: Field, value: &str, why: &str) {
        self.warnings.push(format!(
            "{} « {value} » {why} : valeur conservée telle quelle",
            f.name()
        ));
        self.unmatched.push(format!("{} : {value}", f.name()));
    }

    pub(super) fn text(&self, f: Field, p: NamedNodeRef<'_>, props: &mut Props) {
        let t = normalize::text(self.row.get(f));
        if !t.is_empty() {
            props.push((p.into(), fr(&t)));
        }
    }

    /// A single-valued list field.
    pub(super) fn one(&mut self, f: Field, scheme: &str) -> Option<NamedNode> {
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

    pub(super) fn one_into(
        &mut self,
        f: Field,
        scheme: &str,
        p: NamedNodeRef<'_>,
        props: &mut Props,
    ) {
        if let Some(c) = self.one(f, scheme) {
            props.push((p.into(), c.into()));
        }
    }

    /// A multi-valued list field.
    pub(super) fn many(&mut self, f: Field, scheme: &str) -> Vec<NamedNode> {
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

    pub(super) fn many_into(
        &mut self,
        f: Field,
        scheme: &str,
        p: NamedNodeRef<'_>,
        props: &mut Props,
    ) {
        for c in self.many(f, scheme) {
            props.push((p.into(), c.into()));
        }
    }

    pub(super) fn url_into(
        &mut self,
        f: Field,
        p: NamedNodeRef<'_>,
        props: &mut Props,
        several: bool,
    ) {
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

    pub(super) fn date(&mut self, f: Field) -> Option<PartialDate> {
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

    pub(super) fn coordinates(&mut self, props: &mut Props) {
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
pub(super) fn contact(text: &str) -> Props {
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
pub(super) fn partner_role(text: &str, concepts: &Concepts) -> (String, Option<NamedNode>) {
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

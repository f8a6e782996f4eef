//! `/export/projets.csv`: the public use cases in the network's public
//! export layout, so that the spreadsheets and map widgets that read the
//! network's CSV keep working, and `bibia import interconnectes` reads it
//! back (see `import/interconnectes.rs`, `normalize.rs`, `partners.rs`).
//!
//! The layout: UTF-8 with a BOM, comma-separated, cells quoted when they
//! hold a comma, a quote or a line break, CRLF line ends, the 16 columns of
//! [`COLUMNS`] in that order. Coordinates with a decimal comma, start dates
//! as precise as stored (`JJ/MM/AAAA`, `MM/AAAA` or `AAAA`), the last
//! update as `JJ/MM/AAAA`, the SIRET in groups (`200 046 977 00019`, the
//! SIREN alone when no SIRET is known), list values by their French
//! preferred label, sub-themes joined by `, ` and audiences and partners by
//! ` - ` (the separators of the network's own export), a partner's role in
//! parentheses after its name unless it is the default role (*partenaire*).
//!
//! Only public values can appear: everything is read from the
//! [`PublicStore`].
//!
//! What the layout cannot say exactly, by construction: a partner whose
//! name holds a comma, a semicolon or a spaced dash, or a bare dash between
//! two words no known name joins that way (see `import/partners.rs`), is
//! read back as several partners; an organisation keeps one SIRET per row;
//! a use case has one leading organisation (the first by IRI) and one theme
//! (the network's model has one). None of these occur in the demo.

use super::ExportError;
use crate::iri::BaseIri;
use crate::store::{PublicStore, StoreError, best_text_of};
use crate::vocab::{adms, bia, dcat, dcterms, geo, schema};
use oxigraph::model::vocab::xsd;
use oxigraph::model::{Literal, NamedNode, NamedNodeRef, Term};

/// The 16 columns of the network's public export, in its order.
pub const COLUMNS: [&str; 16] = [
    "Nom_collectivite",
    "Nom_du_projet",
    "SIRET",
    "Latitude",
    "Longitude",
    "Type_de_collectivite",
    "Date_de_demarrage",
    "Statut_du_projet",
    "Partenaires",
    "Description_service",
    "Theme",
    "Sous_Theme",
    "Audience",
    "URL_Service",
    "URL_Logo",
    "Date_de_derniere_mise_a_jour",
];

/// The last segment of the default partner role's IRI: a partner with
/// this role is written without a role, as the importer reads it.
const DEFAULT_ROLE: &str = "partenaire";

/// The public use cases under `base` (withdrawn records left out) as the
/// network's public CSV export, one row per use case in IRI order.
pub fn projets_csv(store: &PublicStore, base: &BaseIri) -> Result<Vec<u8>, ExportError> {
    let mut out = b"\xef\xbb\xbf".to_vec();
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(&mut out);
    writer.write_record(COLUMNS)?;
    let mut projects = store.instances(bia::USE_CASE)?;
    projects.retain(|p| base.relative(p.as_str()).is_some());
    projects.sort();
    let reader = Reader { store };
    for project in projects {
        if reader
            .store
            .has_type(project.as_ref(), bia::WITHDRAWN_RECORD)?
        {
            continue;
        }
        writer.write_record(reader.row(&project)?)?;
    }
    writer.flush().map_err(csv::Error::from)?;
    drop(writer);
    Ok(out)
}

struct Reader<'a> {
    store: &'a PublicStore,
}

impl Reader<'_> {
    fn row(&self, project: &NamedNode) -> Result<[String; 16], StoreError> {
        let p = project.as_ref();
        let leader = self.store.linked(p, bia::LED_BY)?.into_iter().min();
        let (org_name, siret, org_type) = match &leader {
            Some(o) => (
                self.name(o.as_ref())?,
                self.siret(o.as_ref())?,
                self.labels(o.as_ref(), bia::ORGANISATION_TYPE)?.join(", "),
            ),
            None => Default::default(),
        };
        let literal = |property| -> Result<Option<Literal>, StoreError> {
            Ok(self
                .store
                .objects(p, property)?
                .into_iter()
                .filter_map(|t| match t {
                    Term::Literal(l) => Some(l),
                    _ => None,
                })
                .min_by(|a, b| a.value().cmp(b.value())))
        };
        let coordinate = |property| -> Result<String, StoreError> {
            Ok(literal(property)?
                .map(|l| decimal_comma(l.value()))
                .unwrap_or_default())
        };
        let iri = |property| -> Result<String, StoreError> {
            Ok(self
                .store
                .linked(p, property)?
                .into_iter()
                .min()
                .map(|n| n.into_string())
                .unwrap_or_default())
        };
        let modified = self
            .store
            .objects(p, dcterms::MODIFIED)?
            .into_iter()
            .filter_map(|t| match t {
                Term::Literal(l) => Some(l.value().to_owned()),
                _ => None,
            })
            .max()
            .map(|v| french_date(v.split('T').next().unwrap_or_default(), xsd::DATE))
            .unwrap_or_default();
        Ok([
            org_name,
            self.text(p, dcterms::TITLE)?,
            siret,
            coordinate(geo::LAT)?,
            coordinate(geo::LONG)?,
            org_type,
            literal(schema::START_DATE)?
                .map(|l| french_date(l.value(), l.datatype()))
                .unwrap_or_default(),
            self.labels(p, adms::STATUS)?.join(", "),
            self.partners(p)?.join(" - "),
            self.text(p, dcterms::DESCRIPTION)?,
            self.labels(p, dcat::THEME)?.join(", "),
            self.labels(p, bia::SUB_THEME)?.join(", "),
            self.labels(p, bia::AUDIENCE)?.join(" - "),
            iri(schema::URL)?,
            iri(schema::LOGO)?,
            modified,
        ])
    }

    /// The French text of a property (else one without language).
    fn text(
        &self,
        subject: NamedNodeRef<'_>,
        property: NamedNodeRef<'_>,
    ) -> Result<String, StoreError> {
        Ok(best_text_of(self.store.objects(subject, property)?.iter()).unwrap_or_default())
    }

    /// The name of a node (its French label), else its IRI.
    fn name(&self, node: NamedNodeRef<'_>) -> Result<String, StoreError> {
        Ok(self
            .store
            .label(node)?
            .unwrap_or_else(|| node.as_str().to_owned()))
    }

    /// The labels of the concepts a property links to, sorted.
    fn labels(
        &self,
        subject: NamedNodeRef<'_>,
        property: NamedNodeRef<'_>,
    ) -> Result<Vec<String>, StoreError> {
        let mut labels = self
            .store
            .linked(subject, property)?
            .iter()
            .map(|n| self.name(n.as_ref()))
            .collect::<Result<Vec<_>, _>>()?;
        labels.sort();
        labels.dedup();
        Ok(labels)
    }

    /// An organisation's SIRET in groups (the smallest when it has
    /// several), else its SIREN.
    fn siret(&self, organisation: NamedNodeRef<'_>) -> Result<String, StoreError> {
        let digits = |property| -> Result<Option<String>, StoreError> {
            Ok(self
                .store
                .objects(organisation, property)?
                .into_iter()
                .filter_map(|t| match t {
                    Term::Literal(l) => Some(l.value().to_owned()),
                    _ => None,
                })
                .min())
        };
        Ok(match digits(bia::SIRET)? {
            Some(siret) => grouped(&siret),
            None => digits(bia::SIREN)?.map(|s| grouped(&s)).unwrap_or_default(),
        })
    }

    /// The partners of a use case, by name, each with its role in
    /// parentheses unless it is the default one.
    fn partners(&self, project: NamedNodeRef<'_>) -> Result<Vec<String>, StoreError> {
        let mut out = Vec::new();
        for link in self.store.linked(project, bia::PARTNERSHIP_LINK)? {
            for partner in self.store.linked(link.as_ref(), bia::PARTNER)? {
                let name = self.name(partner.as_ref())?;
                let role = self
                    .store
                    .linked(link.as_ref(), bia::PARTNER_ROLE)?
                    .into_iter()
                    .filter(|r| r.as_str().rsplit('/').next() != Some(DEFAULT_ROLE))
                    .min();
                out.push(match role {
                    Some(r) => format!("{name} ({})", self.name(r.as_ref())?),
                    None => name,
                });
            }
        }
        out.sort();
        out.dedup();
        Ok(out)
    }
}

/// `200046977` → `200 046 977`, `20004697700019` → `200 046 977 00019`;
/// anything else as it is.
fn grouped(digits: &str) -> String {
    if !digits.bytes().all(|b| b.is_ascii_digit()) || !matches!(digits.len(), 9 | 14) {
        return digits.to_owned();
    }
    let mut out = format!("{} {} {}", &digits[..3], &digits[3..6], &digits[6..9]);
    if digits.len() == 14 {
        out.push(' ');
        out.push_str(&digits[9..]);
    }
    out
}

/// An `xsd:decimal` (or double) lexical form with a decimal comma.
fn decimal_comma(value: &str) -> String {
    let plain = if value.contains(['e', 'E']) {
        value
            .parse::<f64>()
            .map_or_else(|_| value.to_owned(), |v| v.to_string())
    } else {
        value.to_owned()
    };
    plain.replace('.', ",")
}

/// An ISO date as the network writes it: `2023-03-01` (`xsd:date`) →
/// `01/03/2023`, `2023-03` (`xsd:gYearMonth`) → `03/2023`, `2023`
/// (`xsd:gYear`) → `2023`; another form is given as it is.
fn french_date(value: &str, datatype: NamedNodeRef<'_>) -> String {
    let parts: Vec<&str> = value.split('-').collect();
    match parts.as_slice() {
        [y, m, d] if datatype == xsd::DATE => format!("{d}/{m}/{y}"),
        [y, m] if datatype == xsd::G_YEAR_MONTH => format!("{m}/{y}"),
        _ => value.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_written_as_the_network_writes_them() {
        assert_eq!(grouped("20004697700019"), "200 046 977 00019");
        assert_eq!(grouped("200046977"), "200 046 977");
        assert_eq!(grouped("12"), "12");
        assert_eq!(decimal_comma("45.7535"), "45,7535");
        assert_eq!(decimal_comma("-0.5877"), "-0,5877");
        assert_eq!(decimal_comma("4.5E1"), "45");
        assert_eq!(french_date("2023-03-01", xsd::DATE), "01/03/2023");
        assert_eq!(french_date("2022-09", xsd::G_YEAR_MONTH), "09/2022");
        assert_eq!(french_date("2021", xsd::G_YEAR), "2021");
    }
}

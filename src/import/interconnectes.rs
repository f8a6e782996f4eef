//! The network's CSV layouts and how a file is read: encoding (UTF-8 with or
//! without BOM, Windows-1252 as a fallback), separator, layout detected from
//! the header row, quoted cells with line breaks.
//!
//! Three layouts are known:
//!
//! - the **public export**, comma-separated, 16 columns: `Nom_collectivite,
//!   Nom_du_projet, SIRET, Latitude, Longitude, Type_de_collectivite,
//!   Date_de_demarrage, Statut_du_projet, Partenaires, Description_service,
//!   Theme, Sous_Theme, Audience, URL_Service, URL_Logo,
//!   Date_de_derniere_mise_a_jour`;
//! - the **older layout**, semicolon-separated, the same 16 fields under
//!   other names: `coll_nom; nom_projet; coll_siret; latitude; longitude;
//!   coll_type; date_debut; statut; partenaires; description; theme;
//!   sous_theme; audience; url_service; url_logo; date_maj`;
//! - the **full model**, the 38 fields of the network's schema under their
//!   own names, any separator.
//!
//! Headers are compared ignoring case, accents, spaces and punctuation, in
//! any order; unknown columns are ignored (and reported).

use crate::iri::fold;
use std::collections::HashMap;

/// The 38 fields of the network's model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[expect(
    missing_docs,
    reason = "each variant is the schema field of the same name"
)]
pub enum Field {
    NomCollectivite,
    NomDuProjet,
    Siret,
    Latitude,
    Longitude,
    TypeDeCollectivite,
    DateDeDemarrage,
    StatutDuProjet,
    StatusAbandon,
    Partenaires,
    ProjetContact,
    Financement,
    Budget,
    DescriptionService,
    MiseEnOeuvre,
    Theme,
    SousTheme,
    Audience,
    Herbergement,
    NomAlgorithme,
    AlgorithmeDescription,
    AlgorithmeOperations,
    TypeAlgorithme,
    ImpactEnvironnement,
    DonneesSource,
    DonneesAcces,
    Risque,
    RisqueCategorie,
    Proportionalite,
    Decision,
    Erreur,
    Explicabilite,
    Reversibilite,
    Objection,
    UrlService,
    UrlRessources,
    UrlLogo,
    DateDeDerniereMiseAJour,
}

/// Each field with its name in the schema and, for the 16 public ones, in
/// the older semicolon layout.
const FIELDS: &[(Field, &str, Option<&str>)] = &[
    (Field::NomCollectivite, "Nom_collectivite", Some("coll_nom")),
    (Field::NomDuProjet, "Nom_du_projet", Some("nom_projet")),
    (Field::Siret, "SIRET", Some("coll_siret")),
    (Field::Latitude, "Latitude", Some("latitude")),
    (Field::Longitude, "Longitude", Some("longitude")),
    (
        Field::TypeDeCollectivite,
        "Type_de_collectivite",
        Some("coll_type"),
    ),
    (
        Field::DateDeDemarrage,
        "Date_de_demarrage",
        Some("date_debut"),
    ),
    (Field::StatutDuProjet, "Statut_du_projet", Some("statut")),
    (Field::StatusAbandon, "status_abandon", None),
    (Field::Partenaires, "Partenaires", Some("partenaires")),
    (Field::ProjetContact, "projet_contact", None),
    (Field::Financement, "financement", None),
    (Field::Budget, "budget", None),
    (
        Field::DescriptionService,
        "Description_service",
        Some("description"),
    ),
    (Field::MiseEnOeuvre, "mise_en_oeuvre", None),
    (Field::Theme, "Theme", Some("theme")),
    (Field::SousTheme, "Sous_Theme", Some("sous_theme")),
    (Field::Audience, "Audience", Some("audience")),
    (Field::Herbergement, "herbergement", None),
    (Field::NomAlgorithme, "nom_algorithme", None),
    (Field::AlgorithmeDescription, "algorithme_description", None),
    (Field::AlgorithmeOperations, "algorithme_operations", None),
    (Field::TypeAlgorithme, "type_algorithme", None),
    (Field::ImpactEnvironnement, "impact_environnement", None),
    (Field::DonneesSource, "donnees_source", None),
    (Field::DonneesAcces, "donnees_acces", None),
    (Field::Risque, "risque", None),
    (Field::RisqueCategorie, "risque_categorie", None),
    (Field::Proportionalite, "proportionalite", None),
    (Field::Decision, "decision", None),
    (Field::Erreur, "erreur", None),
    (Field::Explicabilite, "explicabilite", None),
    (Field::Reversibilite, "reversibilite", None),
    (Field::Objection, "objection", None),
    (Field::UrlService, "URL_Service", Some("url_service")),
    (Field::UrlRessources, "url_ressources", None),
    (Field::UrlLogo, "URL_Logo", Some("url_logo")),
    (
        Field::DateDeDerniereMiseAJour,
        "Date_de_derniere_mise_a_jour",
        Some("date_maj"),
    ),
];

impl Field {
    /// The field's name in the network's schema (used in messages and in
    /// `bia:unmatchedValue`).
    pub fn name(self) -> &'static str {
        FIELDS
            .iter()
            .find(|(f, ..)| *f == self)
            .map_or("?", |(_, n, _)| n)
    }
}

/// A CSV layout of the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// The public export (16 columns, comma).
    Public,
    /// The older semicolon layout (`coll_nom;nom_projet;coll_siret;…`).
    Legacy,
    /// The full 38-field model.
    Full,
}

impl Layout {
    /// The layout's name in French, for the summary.
    pub fn label(self) -> &'static str {
        match self {
            Self::Public => "export public (16 colonnes)",
            Self::Legacy => "ancien format (coll_nom;nom_projet;…)",
            Self::Full => "modèle complet (38 champs)",
        }
    }
}

/// A file that is not one of the network's layouts.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// The file is empty.
    #[error("le fichier est vide")]
    Empty,
    /// The header row names none of the known layouts.
    #[error(
        "en-têtes non reconnus ({0}) : attendu l'export public (Nom_collectivite,Nom_du_projet,SIRET,…), l'ancien format (coll_nom;nom_projet;coll_siret;…) ou le modèle complet à 38 champs"
    )]
    UnknownLayout(String),
    /// The CSV syntax is broken.
    #[error("CSV illisible : {0}")]
    Csv(#[from] csv::Error),
}

/// One data row of the file.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    /// The row's number in a spreadsheet (the header is row 1).
    pub(crate) number: usize,
    /// The raw cells, as read (for the rejection report).
    pub(crate) raw: Vec<String>,
    values: HashMap<Field, String>,
}

impl Row {
    /// The raw value of a field (empty when absent), untrimmed.
    pub(crate) fn get(&self, field: Field) -> &str {
        self.values.get(&field).map_or("", String::as_str)
    }
}

/// A file read into rows.
#[derive(Debug)]
pub(crate) struct Table {
    pub(crate) layout: Layout,
    pub(crate) delimiter: u8,
    pub(crate) bom: bool,
    pub(crate) headers: Vec<String>,
    pub(crate) rows: Vec<Row>,
    /// Notes about the file itself (encoding, ignored columns).
    pub(crate) notes: Vec<String>,
    /// The fields the layout has (to require only those).
    pub(crate) fields: Vec<Field>,
}

/// Windows-1252 code points for bytes 0x80–0x9F (others map to Latin-1).
const CP1252: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž', '\u{8f}',
    '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}', 'ž', 'Ÿ',
];

/// Decodes the file: UTF-8 (BOM dropped) or else Windows-1252.
fn decode(bytes: &[u8]) -> (String, bool, Option<String>) {
    let (bytes, bom) = match bytes.strip_prefix(b"\xef\xbb\xbf") {
        Some(rest) => (rest, true),
        None => (bytes, false),
    };
    match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_owned(), bom, None),
        Err(_) => {
            let s = bytes
                .iter()
                .map(|&b| {
                    if (0x80..0xa0).contains(&b) {
                        CP1252[usize::from(b - 0x80)]
                    } else {
                        char::from(b)
                    }
                })
                .collect();
            (s, bom, Some("fichier non UTF-8 : lu comme Windows-1252 (enregistrez-le en UTF-8 pour éviter toute erreur d'accents)".to_owned()))
        }
    }
}

/// The separator of the header line: the most frequent of `;`, `,`, tab.
fn sniff_delimiter(text: &str) -> u8 {
    let first = text.lines().next().unwrap_or_default();
    [b';', b',', b'\t']
        .into_iter()
        .max_by_key(|d| first.bytes().filter(|b| b == d).count())
        .unwrap_or(b',')
}

/// Reads a file of one of the network's layouts.
pub(crate) fn read(bytes: &[u8]) -> Result<Table, ReadError> {
    let (text, bom, encoding_note) = decode(bytes);
    if text.trim().is_empty() {
        return Err(ReadError::Empty);
    }
    let delimiter = sniff_delimiter(&text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader.headers()?.iter().map(str::to_owned).collect();
    let folded: Vec<String> = headers
        .iter()
        .map(|h| fold(h.trim_start_matches('\u{feff}')))
        .collect();
    let schema_at = |h: &str| {
        FIELDS
            .iter()
            .find(|(_, n, _)| fold(n) == h)
            .map(|(f, ..)| *f)
    };
    let legacy_at = |h: &str| {
        FIELDS
            .iter()
            .find(|(_, _, l)| l.is_some_and(|l| fold(l) == h))
            .map(|(f, ..)| *f)
    };
    let schema: Vec<Option<Field>> = folded.iter().map(|h| schema_at(h)).collect();
    let legacy: Vec<Option<Field>> = folded.iter().map(|h| legacy_at(h)).collect();
    let public_only = |f: &Field| FIELDS.iter().any(|(g, _, l)| g == f && l.is_some());
    let has = |cols: &[Option<Field>], f: Field| cols.contains(&Some(f));
    let (layout, columns) =
        if has(&schema, Field::NomDuProjet) && schema.iter().flatten().any(|f| !public_only(f)) {
            (Layout::Full, schema)
        } else if has(&schema, Field::NomDuProjet) {
            (Layout::Public, schema)
        } else if has(&legacy, Field::NomDuProjet) {
            (Layout::Legacy, legacy)
        } else {
            return Err(ReadError::UnknownLayout(
                headers.join(&char::from(delimiter).to_string()),
            ));
        };
    let mut notes: Vec<String> = encoding_note.into_iter().collect();
    let ignored: Vec<&str> = headers
        .iter()
        .zip(&columns)
        .filter(|(h, c)| c.is_none() && !h.trim().is_empty())
        .map(|(h, _)| h.as_str())
        .collect();
    if !ignored.is_empty() {
        notes.push(format!("colonne(s) ignorée(s) : {}", ignored.join(", ")));
    }
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record?;
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let mut values = HashMap::new();
        for (cell, field) in record.iter().zip(&columns) {
            if let Some(f) = field {
                values.entry(*f).or_insert_with(|| cell.to_owned());
            }
        }
        rows.push(Row {
            number: i + 2,
            raw: record.iter().map(str::to_owned).collect(),
            values,
        });
    }
    let fields = columns.into_iter().flatten().collect();
    Ok(Table {
        layout,
        delimiter,
        bom,
        headers,
        rows,
        notes,
        fields,
    })
}

/// Writes rejected rows back in the file's own layout, with a
/// `motif_rejet` column, so an editor can fix and re-import them.
pub(crate) fn write_rejected<W: std::io::Write>(
    table: &Table,
    rejected: &[(usize, String)],
    mut out: W,
) -> Result<(), csv::Error> {
    if table.bom {
        out.write_all(b"\xef\xbb\xbf")?;
    }
    let mut writer = csv::WriterBuilder::new()
        .delimiter(table.delimiter)
        .flexible(true)
        .from_writer(out);
    let mut header = table.headers.clone();
    header.push("motif_rejet".to_owned());
    writer.write_record(&header)?;
    for (number, reason) in rejected {
        if let Some(row) = table.rows.iter().find(|r| r.number == *number) {
            let mut cells = row.raw.clone();
            cells.resize(table.headers.len(), String::new());
            cells.push(reason.clone());
            writer.write_record(&cells)?;
        }
    }
    writer.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_layouts_bom_and_separator() {
        let t = read("\u{feff}Nom_collectivite,Nom_du_projet,SIRET\r\n\"Lyon\nMétropole\",Chatbot ,1\r\n,,\r\n".as_bytes())
            .unwrap();
        assert_eq!(t.layout, Layout::Public);
        assert!(t.bom);
        assert_eq!(t.rows.len(), 1);
        assert_eq!(t.rows[0].get(Field::NomCollectivite), "Lyon\nMétropole");
        assert_eq!(t.rows[0].get(Field::NomDuProjet), "Chatbot ");
        let t = read(b"coll_nom;nom_projet;coll_siret;foo\nA;B;C;D\n").unwrap();
        assert_eq!(t.layout, Layout::Legacy);
        assert_eq!(t.delimiter, b';');
        assert_eq!(t.rows[0].get(Field::Siret), "C");
        assert_eq!(t.notes, ["colonne(s) ignorée(s) : foo"]);
        let t = read(b"Nom_du_projet;nom_algorithme\nA;B\n").unwrap();
        assert_eq!(t.layout, Layout::Full);
        assert!(matches!(
            read(b"a,b\n1,2\n"),
            Err(ReadError::UnknownLayout(_))
        ));
    }

    #[test]
    fn windows_1252_is_decoded() {
        let t = read(b"coll_nom;nom_projet\nM\xe9tropole;Caf\xe9 \x80\n").unwrap();
        assert_eq!(t.rows[0].get(Field::NomCollectivite), "Métropole");
        assert_eq!(t.rows[0].get(Field::NomDuProjet), "Café €");
        assert_eq!(t.notes.len(), 1);
    }
}

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
//!   coll_type; projet_date; projet_status; partenaires; usage_description;
//!   theme; sous_theme; audience_service; url_infos; image_url; date`
//!   (earlier files also wrote `date_debut`, `statut`, `description`,
//!   `url_service`, `url_logo`, `date_maj`: every older name of a field is
//!   read);
//! - the **full model**, the 38 fields of the network's schema under their
//!   own names, any separator.
//!
//! Headers are compared ignoring case, accents, spaces and punctuation, in
//! any order; unknown columns are ignored (and reported). `--columns
//! champ=colonne,…` names the column of a field, overriding detection.
//! A file with no column for a field every row needs ([`REQUIRED`]) is
//! refused before anything is imported, with a `--columns` suggestion built
//! from its ignored columns.

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

/// How the network's files name a field.
struct Spec {
    field: Field,
    /// The name in the network's schema (the public export and the full
    /// model use it).
    name: &'static str,
    /// Whether the public export has the field (16 of the 38).
    public: bool,
    /// The names older files give it, the real older layout's first.
    legacy: &'static [&'static str],
}

const fn spec(
    field: Field,
    name: &'static str,
    public: bool,
    legacy: &'static [&'static str],
) -> Spec {
    Spec {
        field,
        name,
        public,
        legacy,
    }
}

/// Every field of the model, in the schema's order.
const FIELDS: &[Spec] = &[
    spec(
        Field::NomCollectivite,
        "Nom_collectivite",
        true,
        &["coll_nom"],
    ),
    spec(Field::NomDuProjet, "Nom_du_projet", true, &["nom_projet"]),
    spec(Field::Siret, "SIRET", true, &["coll_siret"]),
    spec(Field::Latitude, "Latitude", true, &[]),
    spec(Field::Longitude, "Longitude", true, &[]),
    spec(
        Field::TypeDeCollectivite,
        "Type_de_collectivite",
        true,
        &["coll_type"],
    ),
    spec(
        Field::DateDeDemarrage,
        "Date_de_demarrage",
        true,
        &["projet_date", "date_debut"],
    ),
    spec(
        Field::StatutDuProjet,
        "Statut_du_projet",
        true,
        &["projet_status", "statut"],
    ),
    spec(Field::StatusAbandon, "status_abandon", false, &[]),
    spec(Field::Partenaires, "Partenaires", true, &[]),
    spec(Field::ProjetContact, "projet_contact", false, &[]),
    spec(Field::Financement, "financement", false, &[]),
    spec(Field::Budget, "budget", false, &[]),
    spec(
        Field::DescriptionService,
        "Description_service",
        true,
        &["usage_description", "description"],
    ),
    spec(Field::MiseEnOeuvre, "mise_en_oeuvre", false, &[]),
    spec(Field::Theme, "Theme", true, &[]),
    spec(Field::SousTheme, "Sous_Theme", true, &[]),
    spec(Field::Audience, "Audience", true, &["audience_service"]),
    spec(Field::Herbergement, "herbergement", false, &[]),
    spec(Field::NomAlgorithme, "nom_algorithme", false, &[]),
    spec(
        Field::AlgorithmeDescription,
        "algorithme_description",
        false,
        &[],
    ),
    spec(
        Field::AlgorithmeOperations,
        "algorithme_operations",
        false,
        &[],
    ),
    spec(Field::TypeAlgorithme, "type_algorithme", false, &[]),
    spec(
        Field::ImpactEnvironnement,
        "impact_environnement",
        false,
        &[],
    ),
    spec(Field::DonneesSource, "donnees_source", false, &[]),
    spec(Field::DonneesAcces, "donnees_acces", false, &[]),
    spec(Field::Risque, "risque", false, &[]),
    spec(Field::RisqueCategorie, "risque_categorie", false, &[]),
    spec(Field::Proportionalite, "proportionalite", false, &[]),
    spec(Field::Decision, "decision", false, &[]),
    spec(Field::Erreur, "erreur", false, &[]),
    spec(Field::Explicabilite, "explicabilite", false, &[]),
    spec(Field::Reversibilite, "reversibilite", false, &[]),
    spec(Field::Objection, "objection", false, &[]),
    spec(Field::UrlService, "URL_Service", true, &["url_infos"]),
    spec(Field::UrlRessources, "url_ressources", false, &[]),
    spec(Field::UrlLogo, "URL_Logo", true, &["image_url"]),
    spec(
        Field::DateDeDerniereMiseAJour,
        "Date_de_derniere_mise_a_jour",
        true,
        &["date", "date_maj"],
    ),
];

impl Field {
    /// The field's name in the network's schema (used in messages and in
    /// `bia:unmatchedValue`).
    pub fn name(self) -> &'static str {
        FIELDS
            .iter()
            .find(|s| s.field == self)
            .map_or("?", |s| s.name)
    }

    /// The field a name designates: its schema name or one of its older
    /// names, compared as headers are (case, accents, spaces and
    /// punctuation ignored).
    pub fn from_name(name: &str) -> Option<Self> {
        let key = fold(name);
        FIELDS
            .iter()
            .find(|s| fold(s.name) == key || s.legacy.iter().any(|l| fold(l) == key))
            .map(|s| s.field)
    }
}

/// The fields every file must have: the two names the importer needs, and
/// what the shapes require of every use case (description, start date,
/// status, theme, audience). Without one of them no row could be imported.
/// Each with what it holds (for messages) and words a header naming it
/// may contain (to suggest a `--columns` mapping).
const REQUIRED: &[(Field, &str, &[&str])] = &[
    (
        Field::NomCollectivite,
        "le nom de l'organisation porteuse",
        &[
            "collectivite",
            "organisation",
            "structure",
            "porteur",
            "coll",
            "entite",
        ],
    ),
    (
        Field::NomDuProjet,
        "le nom du projet",
        &["projet", "intitule", "titre", "nom"],
    ),
    (
        Field::DescriptionService,
        "la description du service",
        &["description", "descriptif", "resume", "objet", "usage"],
    ),
    (
        Field::DateDeDemarrage,
        "la date de démarrage",
        &["demarrage", "debut", "lancement", "date"],
    ),
    (
        Field::StatutDuProjet,
        "le statut du projet",
        &["statut", "status", "etat", "avancement"],
    ),
    (
        Field::Theme,
        "le thème",
        &["theme", "thematique", "domaine"],
    ),
    (
        Field::Audience,
        "le public visé",
        &["audience", "public", "cible", "usager", "beneficiaire"],
    ),
];

/// A `--columns` item that is not `champ=colonne` with a known field.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ColumnsError {
    /// No `=` between the field and the column.
    #[error(
        "« {0} » : attendu champ=colonne, par exemple Nom_du_projet=Intitulé (plusieurs séparés par des virgules)"
    )]
    NotAPair(String),
    /// The field is not one of the network's.
    #[error("champ inconnu « {0} » : les champs sont {names}", names = field_names())]
    UnknownField(String),
}

fn field_names() -> String {
    FIELDS.iter().map(|s| s.name).collect::<Vec<_>>().join(", ")
}

/// Reads one `--columns` item, `champ=colonne`: a field of the network's
/// model (see [`Field::from_name`]) and a column header of the file.
pub fn parse_column(item: &str) -> Result<(Field, String), ColumnsError> {
    let (field, column) = item
        .split_once('=')
        .filter(|(f, c)| !f.trim().is_empty() && !c.trim().is_empty())
        .ok_or_else(|| ColumnsError::NotAPair(item.to_owned()))?;
    let f = Field::from_name(field)
        .ok_or_else(|| ColumnsError::UnknownField(field.trim().to_owned()))?;
    Ok((f, column.trim().to_owned()))
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
    /// Most columns named with `--columns`.
    Mapped,
}

impl Layout {
    /// The layout's name in French, for the summary.
    pub fn label(self) -> &'static str {
        match self {
            Self::Public => "export public (16 colonnes)",
            Self::Legacy => "ancien format (coll_nom;nom_projet;…)",
            Self::Full => "modèle complet (38 champs)",
            Self::Mapped => "colonnes désignées par --columns",
        }
    }
}

/// A file that is not one of the network's layouts, or whose columns
/// cannot be read as asked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// The file is empty.
    #[error("le fichier est vide")]
    Empty,
    /// The header row names none of the known layouts.
    #[error(
        "en-têtes non reconnus ({0}) : attendu l'export public (Nom_collectivite,Nom_du_projet,SIRET,…), l'ancien format (coll_nom;nom_projet;coll_siret;…) ou le modèle complet à 38 champs ; sinon, indiquez la colonne de chaque champ avec --columns champ=colonne,…"
    )]
    UnknownLayout(String),
    /// A column named by `--columns` is not in the file.
    #[error(
        "--columns {}={column} : le fichier n'a pas de colonne « {column} » ; ses colonnes sont : {headers}",
        .field.name()
    )]
    ColumnNotFound {
        /// The field it was given for.
        field: Field,
        /// The column asked for.
        column: String,
        /// The file's headers.
        headers: String,
    },
    /// `--columns` gives the same field twice.
    #[error("--columns : le champ {} est donné deux fois", .0.name())]
    FieldTwice(Field),
    /// `--columns` gives one column for two fields.
    #[error(
        "--columns : la colonne « {column} » est donnée pour deux champs ({} et {})",
        .fields.0.name(),
        .fields.1.name()
    )]
    ColumnTwice {
        /// The column.
        column: String,
        /// The two fields.
        fields: (Field, Field),
    },
    /// Fields every row needs have no column: nothing could be imported.
    #[error("{}", missing_message(.missing, .ignored, .suggestion))]
    MissingFields {
        /// The fields without a column.
        missing: Vec<Field>,
        /// The file's columns that were not read.
        ignored: Vec<String>,
        /// A `--columns` value that maps them, built from the file's
        /// headers (without the flag).
        suggestion: String,
    },
    /// The CSV syntax is broken.
    #[error("CSV illisible : {0}")]
    Csv(#[from] csv::Error),
}

fn missing_message(missing: &[Field], ignored: &[String], suggestion: &str) -> String {
    let fields: Vec<String> = missing
        .iter()
        .map(|f| {
            let what = REQUIRED
                .iter()
                .find(|(r, ..)| r == f)
                .map_or("", |(_, what, _)| what);
            format!("{} ({what})", f.name())
        })
        .collect();
    let mut s = format!(
        "aucune colonne pour le(s) champ(s) obligatoire(s) {} : aucune ligne ne pourrait être importée, rien n'a été importé. ",
        fields.join(", ")
    );
    if ignored.is_empty() {
        s += "Toutes les colonnes du fichier sont déjà lues : ajoutez-y une colonne pour chacun de ces champs.";
    } else {
        s += &format!(
            "Colonne(s) ignorée(s) : {}. Indiquez quelle colonne contient chaque champ avec --columns champ=colonne, par exemple --columns {}",
            ignored
                .iter()
                .map(|c| format!("« {c} »"))
                .collect::<Vec<_>>()
                .join(", "),
            shell_quote(suggestion)
        );
    }
    s
}

/// `text` quoted for a POSIX shell, when it needs to be.
pub(crate) fn shell_quote(text: &str) -> String {
    let plain =
        |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/' | '=' | ',');
    if !text.is_empty() && text.chars().all(plain) {
        return text.to_owned();
    }
    format!("'{}'", text.replace('\'', r"'\''"))
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
    /// The fields the file has (to require only those).
    pub(crate) fields: Vec<Field>,
    /// The headers of the columns that are not read.
    pub(crate) ignored: Vec<String>,
}

impl Table {
    /// Checks that every field a row needs (see [`REQUIRED`]) has a
    /// column; when not, the error says which, lists the ignored columns
    /// and suggests a `--columns` mapping of them.
    pub(crate) fn check_required(&self) -> Result<(), ReadError> {
        let missing: Vec<Field> = REQUIRED
            .iter()
            .map(|(f, ..)| *f)
            .filter(|f| !self.fields.contains(f))
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        Err(ReadError::MissingFields {
            suggestion: suggest(&missing, &self.ignored),
            missing,
            ignored: self.ignored.clone(),
        })
    }
}

/// A `--columns` value mapping each missing field to the ignored column
/// that looks most like it (its header has a word that starts like one of
/// the field's words, or is the start of one), or else to the next unused
/// ignored column, or to a placeholder.
fn suggest(missing: &[Field], ignored: &[String]) -> String {
    let words: Vec<Vec<String>> = ignored
        .iter()
        .map(|h| fold(h).split(' ').map(str::to_owned).collect())
        .collect();
    let mut scored = Vec::new();
    for (fi, f) in missing.iter().enumerate() {
        let hints = REQUIRED
            .iter()
            .find(|(r, ..)| r == f)
            .map_or(&[][..], |(.., h)| *h);
        for (ci, w) in words.iter().enumerate() {
            let score = hints
                .iter()
                .filter(|h| {
                    w.iter().any(|word| {
                        word.starts_with(*h) || word.len() >= 4 && h.starts_with(word.as_str())
                    })
                })
                .count();
            if score > 0 {
                scored.push((score, fi, ci));
            }
        }
    }
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut chosen: Vec<Option<usize>> = vec![None; missing.len()];
    let mut used = vec![false; ignored.len()];
    for (_, fi, ci) in scored {
        if chosen[fi].is_none() && !used[ci] {
            chosen[fi] = Some(ci);
            used[ci] = true;
        }
    }
    missing
        .iter()
        .zip(chosen)
        .map(|(f, c)| {
            let c = c.or_else(|| {
                let free = used.iter().position(|u| !u)?;
                used[free] = true;
                Some(free)
            });
            let column = c.map_or("COLONNE", |c| ignored[c].as_str());
            format!("{}={column}", f.name())
        })
        .collect::<Vec<_>>()
        .join(",")
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

/// How a column's field was found; a field read from two columns is read
/// from the better found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum By {
    /// An older name of the field.
    Legacy,
    /// The field's schema name.
    Schema,
    /// `--columns`.
    Flag,
}

/// The field a (folded) header names.
fn field_of(header: &str) -> Option<(Field, By)> {
    let by_schema = FIELDS.iter().find(|s| fold(s.name) == header);
    if let Some(s) = by_schema {
        return Some((s.field, By::Schema));
    }
    FIELDS
        .iter()
        .find(|s| s.legacy.iter().any(|l| fold(l) == header))
        .map(|s| (s.field, By::Legacy))
}

/// Reads a file of one of the network's layouts. `columns` (from
/// `--columns`) names the column of some fields, overriding detection.
pub(crate) fn read(bytes: &[u8], columns: &[(Field, String)]) -> Result<Table, ReadError> {
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
    let mut mapped: Vec<Option<(Field, By)>> = folded.iter().map(|h| field_of(h)).collect();
    let mut flagged: Vec<(Field, usize)> = Vec::new();
    for (field, column) in columns {
        let at = folded
            .iter()
            .position(|h| *h == fold(column))
            .ok_or_else(|| ReadError::ColumnNotFound {
                field: *field,
                column: column.clone(),
                headers: headers.join(", "),
            })?;
        if flagged.iter().any(|(f, _)| f == field) {
            return Err(ReadError::FieldTwice(*field));
        }
        if let Some((other, _)) = flagged.iter().find(|(_, c)| *c == at) {
            return Err(ReadError::ColumnTwice {
                column: headers[at].clone(),
                fields: (*other, *field),
            });
        }
        flagged.push((*field, at));
        mapped[at] = Some((*field, By::Flag));
    }
    let mut notes: Vec<String> = encoding_note.into_iter().collect();
    // One column per field: the one found the better way, then the first.
    let winner = |f: Field| {
        mapped
            .iter()
            .enumerate()
            .filter_map(|(i, m)| m.filter(|(g, _)| *g == f).map(|(_, by)| (by, i)))
            .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)))
            .map(|(_, i)| i)
    };
    let mut columns_of: Vec<Option<Field>> = vec![None; headers.len()];
    let mut read_by: Vec<(Field, By)> = Vec::new();
    for (i, m) in mapped.iter().enumerate() {
        let Some((f, by)) = m else { continue };
        match winner(*f) {
            Some(w) if w == i => {
                columns_of[i] = Some(*f);
                read_by.push((*f, *by));
            }
            Some(w) => notes.push(format!(
                "colonne « {} » ignorée : le champ {} est lu dans la colonne « {} »",
                headers[i],
                f.name(),
                headers[w]
            )),
            None => {}
        }
    }
    if columns_of.iter().all(Option::is_none) {
        return Err(ReadError::UnknownLayout(
            headers.join(&char::from(delimiter).to_string()),
        ));
    }
    // The layout is what most read columns say: `--columns`, the older
    // names (as many as schema names in the oldest files, whose
    // `latitude`, `theme`, `url_service`… are also schema names), the full
    // model (a field the public export has not), or the public export.
    let public = |f: Field| FIELDS.iter().any(|s| s.field == f && s.public);
    let count = |by: By| read_by.iter().filter(|(_, b)| *b == by).count();
    let layout = if count(By::Flag) > count(By::Legacy) + count(By::Schema) {
        Layout::Mapped
    } else if read_by
        .iter()
        .any(|(f, by)| *by == By::Schema && !public(*f))
    {
        Layout::Full
    } else if count(By::Legacy) > 0 && count(By::Legacy) >= count(By::Schema) {
        Layout::Legacy
    } else {
        Layout::Public
    };
    if !flagged.is_empty() {
        let list: Vec<String> = flagged
            .iter()
            .map(|(f, c)| format!("{} ← « {} »", f.name(), headers[*c]))
            .collect();
        notes.push(format!(
            "colonnes désignées par --columns : {}",
            list.join(", ")
        ));
    }
    let ignored: Vec<String> = headers
        .iter()
        .zip(&columns_of)
        .filter(|(h, c)| c.is_none() && !h.trim().is_empty())
        .map(|(h, _)| h.trim_start_matches('\u{feff}').to_owned())
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
        for (cell, field) in record.iter().zip(&columns_of) {
            if let Some(f) = field {
                values.insert(*f, cell.to_owned());
            }
        }
        rows.push(Row {
            number: i + 2,
            raw: record.iter().map(str::to_owned).collect(),
            values,
        });
    }
    let fields = columns_of.into_iter().flatten().collect();
    Ok(Table {
        layout,
        delimiter,
        bom,
        headers,
        rows,
        notes,
        fields,
        ignored,
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
        let t = read("\u{feff}Nom_collectivite,Nom_du_projet,SIRET\r\n\"Lyon\nMétropole\",Chatbot ,1\r\n,,\r\n".as_bytes(), &[])
            .unwrap();
        assert_eq!(t.layout, Layout::Public);
        assert!(t.bom);
        assert_eq!(t.rows.len(), 1);
        assert_eq!(t.rows[0].get(Field::NomCollectivite), "Lyon\nMétropole");
        assert_eq!(t.rows[0].get(Field::NomDuProjet), "Chatbot ");
        let t = read(b"coll_nom;nom_projet;coll_siret;foo\nA;B;C;D\n", &[]).unwrap();
        assert_eq!(t.layout, Layout::Legacy);
        assert_eq!(t.delimiter, b';');
        assert_eq!(t.rows[0].get(Field::Siret), "C");
        assert_eq!(t.notes, ["colonne(s) ignorée(s) : foo"]);
        let t = read(b"Nom_du_projet;nom_algorithme\nA;B\n", &[]).unwrap();
        assert_eq!(t.layout, Layout::Full);
        assert!(matches!(
            read(b"a,b\n1,2\n", &[]),
            Err(ReadError::UnknownLayout(_))
        ));
    }

    #[test]
    fn the_older_layouts_real_header_maps_every_column() {
        let header = "coll_nom;nom_projet;coll_siret;latitude;longitude;coll_type;projet_date;projet_status;partenaires;usage_description;theme;sous_theme;audience_service;url_infos;image_url;date";
        let row = "Ville;Projet;1;2;3;Commune;2023;Terminé;P;Desc;T;S;Agent;https://u;https://l;01/02/2024";
        let t = read(format!("{header}\n{row}\n").as_bytes(), &[]).unwrap();
        assert_eq!(t.layout, Layout::Legacy);
        assert!(t.ignored.is_empty(), "{:?}", t.ignored);
        assert_eq!(t.fields.len(), 16);
        let r = &t.rows[0];
        assert_eq!(r.get(Field::DateDeDemarrage), "2023");
        assert_eq!(r.get(Field::StatutDuProjet), "Terminé");
        assert_eq!(r.get(Field::DescriptionService), "Desc");
        assert_eq!(r.get(Field::Audience), "Agent");
        assert_eq!(r.get(Field::UrlService), "https://u");
        assert_eq!(r.get(Field::UrlLogo), "https://l");
        assert_eq!(r.get(Field::DateDeDerniereMiseAJour), "01/02/2024");
        t.check_required().unwrap();
    }

    #[test]
    fn a_field_in_two_columns_is_read_from_the_schema_named_one() {
        let t = read(
            b"Nom_du_projet;description;Description_service\nA;old;new\n",
            &[],
        )
        .unwrap();
        assert_eq!(t.rows[0].get(Field::DescriptionService), "new");
        assert!(
            t.notes[0].contains("« description » ignorée")
                && t.notes[0].contains("Description_service"),
            "{:?}",
            t.notes
        );
    }

    #[test]
    fn columns_flag_overrides_detection() {
        assert_eq!(
            parse_column(" nom du projet = Intitulé ").unwrap(),
            (Field::NomDuProjet, "Intitulé".to_owned())
        );
        assert_eq!(
            parse_column("projet_status=État").unwrap().0,
            Field::StatutDuProjet
        );
        assert!(matches!(
            parse_column("Projet"),
            Err(ColumnsError::NotAPair(_))
        ));
        let e = parse_column("Nom=Intitulé").unwrap_err();
        assert!(matches!(e, ColumnsError::UnknownField(_)));
        assert!(e.to_string().contains("Nom_du_projet, SIRET"), "{e}");

        let map = [
            (Field::NomDuProjet, "intitule".to_owned()),
            (Field::DescriptionService, "Nom_du_projet".to_owned()),
        ];
        let t = read("Nom_du_projet;Intitulé\nDesc;Titre\n".as_bytes(), &map).unwrap();
        assert_eq!(t.rows[0].get(Field::NomDuProjet), "Titre");
        assert_eq!(t.rows[0].get(Field::DescriptionService), "Desc");
        let t = read(
            "Qui;Quoi\nVille;Titre\n".as_bytes(),
            &[
                (Field::NomCollectivite, "qui".to_owned()),
                (Field::NomDuProjet, "QUOI".to_owned()),
            ],
        )
        .unwrap();
        assert_eq!(t.layout, Layout::Mapped);
        assert_eq!(t.rows[0].get(Field::NomCollectivite), "Ville");

        let e = read(b"a;b\n", &[(Field::NomDuProjet, "c".to_owned())]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "--columns Nom_du_projet=c : le fichier n'a pas de colonne « c » ; ses colonnes sont : a, b"
        );
        let twice = [
            (Field::NomDuProjet, "a".to_owned()),
            (Field::Theme, "a".to_owned()),
        ];
        assert!(matches!(
            read(b"a;b\n", &twice),
            Err(ReadError::ColumnTwice { .. })
        ));
    }

    #[test]
    fn missing_required_fields_are_named_with_a_columns_suggestion() {
        let t = read(
            "Nom_collectivite;Intitulé du projet;Etat d'avancement;Description_service;Date_de_demarrage;Theme;Audience;Remarques\n"
                .as_bytes(),
            &[],
        )
        .unwrap();
        let e = t.check_required().unwrap_err();
        let ReadError::MissingFields {
            missing,
            ignored,
            suggestion,
        } = &e
        else {
            panic!("{e}")
        };
        assert_eq!(missing, &[Field::NomDuProjet, Field::StatutDuProjet]);
        assert_eq!(
            ignored,
            &["Intitulé du projet", "Etat d'avancement", "Remarques"]
        );
        assert_eq!(
            suggestion,
            "Nom_du_projet=Intitulé du projet,Statut_du_projet=Etat d'avancement"
        );
        let text = e.to_string();
        assert!(text.contains("Nom_du_projet (le nom du projet)"), "{text}");
        assert!(
            text.contains(r"--columns 'Nom_du_projet=Intitulé du projet,Statut_du_projet=Etat d'\''avancement'"),
            "{text}"
        );
    }

    #[test]
    fn windows_1252_is_decoded() {
        let t = read(b"coll_nom;nom_projet\nM\xe9tropole;Caf\xe9 \x80\n", &[]).unwrap();
        assert_eq!(t.rows[0].get(Field::NomCollectivite), "Métropole");
        assert_eq!(t.rows[0].get(Field::NomDuProjet), "Café €");
        assert_eq!(t.notes.len(), 1);
    }
}

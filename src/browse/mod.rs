//! The records people browse (projets, organisations, solutions,
//! ressources) with the values they filter and sort them by, read from the
//! public projection once per version of the data: lists with combinable
//! facets and their counts, the home page's figures.
//!
//! Facets are disjunctive within a facet and conjunctive across facets:
//! `?theme=a&theme=b&statut=c` keeps the records of theme a or b that have
//! status c, and each facet counts its values among the records the other
//! facets keep: in a facet where nothing is chosen, a value's count is
//! what the list shows once it is chosen; in one where values are chosen,
//! choosing another adds its records to theirs.

use crate::iri::{BaseIri, slug};
use crate::store::{PublicStore, StoreError};
use crate::vocab::{adms, bia, dcat, dcterms, igeo, org, schema};
use oxigraph::model::vocab::rdf;
use oxigraph::model::{NamedNode, NamedNodeRef, NamedOrBlankNode, Term};
use std::collections::{BTreeMap, HashMap};

/// The kinds of records that have a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// Use cases.
    Projet,
    /// Organisations.
    Organisation,
    /// Solutions.
    Solution,
    /// Technical resources.
    Ressource,
}

impl Kind {
    /// Every kind, in the order of the menus.
    pub const ALL: [Kind; 4] = [
        Kind::Projet,
        Kind::Organisation,
        Kind::Solution,
        Kind::Ressource,
    ];

    /// The list's path (`projets`).
    pub fn path(self) -> &'static str {
        match self {
            Kind::Projet => "projets",
            Kind::Organisation => "organisations",
            Kind::Solution => "solutions",
            Kind::Ressource => "ressources",
        }
    }

    /// The kind of a list path.
    pub fn from_path(path: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.path() == path)
    }

    /// The list's title.
    pub fn title(self) -> &'static str {
        match self {
            Kind::Projet => "Projets",
            Kind::Organisation => "Organisations",
            Kind::Solution => "Solutions",
            Kind::Ressource => "Ressources",
        }
    }

    /// The segment of its records' IRIs (`/id/projet/…`).
    pub fn segment(self) -> &'static str {
        match self {
            Kind::Projet => "projet",
            Kind::Organisation => "organisation",
            Kind::Solution => "solution",
            Kind::Ressource => "ressource",
        }
    }

    /// The kind whose records' IRIs have this segment.
    pub fn from_segment(segment: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.segment() == segment)
    }

    /// The class of its records.
    pub fn class(self) -> NamedNodeRef<'static> {
        match self {
            Kind::Projet => bia::USE_CASE,
            Kind::Organisation => org::ORGANIZATION,
            Kind::Solution => bia::SOLUTION,
            Kind::Ressource => bia::TECHNICAL_RESOURCE,
        }
    }

    /// The facets of this kind's list.
    pub fn facets(self) -> &'static [Facet] {
        use Facet::*;
        match self {
            Kind::Projet => &[
                Theme,
                SubTheme,
                Status,
                Audience,
                RiskCategory,
                OrganisationType,
                Region,
                Departement,
                SolutionCategory,
                StartYear,
                Transparency,
            ],
            Kind::Organisation => &[OrganisationType, Region, Departement],
            Kind::Solution => &[SolutionCategory],
            Kind::Ressource => &[ResourceType],
        }
    }

    /// The sorts of this kind's list; the first is the default.
    pub fn sorts(self) -> &'static [Sort] {
        match self {
            Kind::Projet => &[Sort::Recent, Sort::Title, Sort::Start],
            _ => &[Sort::Title, Sort::Recent],
        }
    }
}

/// A facet of a list; its URL parameter is [`Facet::param`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Facet {
    /// `dcat:theme`.
    Theme,
    /// `bia:subTheme`.
    SubTheme,
    /// `adms:status`.
    Status,
    /// `bia:audience`.
    Audience,
    /// The AI Act risk category of the project's algorithm record.
    RiskCategory,
    /// The type of the (leading) organisation.
    OrganisationType,
    /// The région of the (leading) organisation's territory.
    Region,
    /// The département of the (leading) organisation's territory.
    Departement,
    /// The category of a solution (or of the solutions a project uses).
    SolutionCategory,
    /// The kind of a technical resource.
    ResourceType,
    /// The year a project started (`schema:startDate`).
    StartYear,
    /// How much of its algorithm's transparency record a project fills
    /// (see [`TRANSPARENCY`]).
    Transparency,
}

/// The public fields of an algorithm record that make it transparent, as
/// the library's fifth job names them: what the algorithm decides, the
/// human oversight, its risks and AI Act category, its errors,
/// explainability and reversibility, its legal basis, proportionality and
/// impact assessment, and how to object. How complete a project's record
/// is ([`Facet::Transparency`]) counts these, and only these: restricted
/// fields (the algorithm's type, data, internals) are never read.
pub const TRANSPARENCY: [NamedNodeRef<'static>; 11] = [
    bia::DECISION_SCOPE,
    bia::HUMAN_OVERSIGHT,
    bia::RISK_ASSESSMENT,
    bia::AI_ACT_RISK_CATEGORY,
    bia::ERROR_LEVEL,
    bia::EXPLAINABILITY_LEVEL,
    bia::REVERSIBILITY,
    bia::LEGAL_BASIS,
    bia::PROPORTIONALITY,
    bia::IMPACT_ASSESSMENT,
    bia::OBJECTION_PROCEDURE,
];

/// The values of [`Facet::Transparency`], from the most complete: (key,
/// label).
pub const TRANSPARENCY_LEVELS: [(&str, &str); 4] = [
    ("complete", "Fiche de transparence complète"),
    ("plus-de-la-moitie", "Plus de la moitié renseignée"),
    ("moins-de-la-moitie", "Moins de la moitié renseignée"),
    ("aucune", "Aucune fiche de transparence"),
];

/// The level of a record that fills `filled` of the [`TRANSPARENCY`]
/// fields.
fn transparency_level(filled: usize) -> FacetValue {
    let (key, label) = match filled {
        0 => TRANSPARENCY_LEVELS[3],
        n if n == TRANSPARENCY.len() => TRANSPARENCY_LEVELS[0],
        n if 2 * n > TRANSPARENCY.len() => TRANSPARENCY_LEVELS[1],
        _ => TRANSPARENCY_LEVELS[2],
    };
    FacetValue {
        key: key.to_owned(),
        label: label.to_owned(),
    }
}

impl Facet {
    /// Every facet.
    pub const ALL: [Facet; 12] = [
        Facet::Theme,
        Facet::SubTheme,
        Facet::Status,
        Facet::Audience,
        Facet::RiskCategory,
        Facet::OrganisationType,
        Facet::Region,
        Facet::Departement,
        Facet::SolutionCategory,
        Facet::ResourceType,
        Facet::StartYear,
        Facet::Transparency,
    ];

    /// The URL parameter (`theme`).
    pub fn param(self) -> &'static str {
        match self {
            Facet::Theme => "theme",
            Facet::SubTheme => "sous-theme",
            Facet::Status => "statut",
            Facet::Audience => "public",
            Facet::RiskCategory => "risque-ia",
            Facet::OrganisationType => "type-organisation",
            Facet::Region => "region",
            Facet::Departement => "departement",
            Facet::SolutionCategory => "categorie-solution",
            Facet::ResourceType => "type-ressource",
            Facet::StartYear => "annee",
            Facet::Transparency => "transparence",
        }
    }

    /// The facet of a URL parameter.
    pub fn from_param(param: &str) -> Option<Facet> {
        Facet::ALL.into_iter().find(|f| f.param() == param)
    }

    /// The facet whose values are things like this one (a path below
    /// `id/`: `concept/theme/x`, `territoire/region-84`), with its key.
    pub fn of_thing(rel: &str) -> Option<(Facet, &str)> {
        let (head, key) = rel.rsplit_once('/')?;
        let facet = match head {
            "concept/theme" => Facet::Theme,
            "concept/sous-theme" => Facet::SubTheme,
            "concept/statut" => Facet::Status,
            "concept/audience" => Facet::Audience,
            "concept/risque-ia" => Facet::RiskCategory,
            "concept/type-organisation" => Facet::OrganisationType,
            "territoire" if key.starts_with("region-") => Facet::Region,
            "territoire" if key.starts_with("departement-") => Facet::Departement,
            _ => return None,
        };
        Some((facet, key))
    }

    /// Its heading.
    pub fn label(self) -> &'static str {
        match self {
            Facet::Theme => "Thème",
            Facet::SubTheme => "Sous-thème",
            Facet::Status => "Statut",
            Facet::Audience => "Public visé",
            Facet::RiskCategory => "Risque (règlement européen sur l'IA)",
            Facet::OrganisationType => "Type d'organisation",
            Facet::Region => "Région",
            Facet::Departement => "Département",
            Facet::SolutionCategory => "Catégorie de solution",
            Facet::ResourceType => "Type de ressource",
            Facet::StartYear => "Année de démarrage",
            Facet::Transparency => "Transparence de l'algorithme",
        }
    }
}

/// How a list is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    /// By title, A to Z.
    Title,
    /// Most recently added or changed first.
    Recent,
    /// Latest start first (projects).
    Start,
    /// Best match first, for a search (by title without one).
    Relevance,
}

impl Sort {
    /// The URL value (`tri=titre`).
    pub fn param(self) -> &'static str {
        match self {
            Sort::Title => "titre",
            Sort::Recent => "recent",
            Sort::Start => "demarrage",
            Sort::Relevance => "pertinence",
        }
    }

    /// In words.
    pub fn label(self) -> &'static str {
        match self {
            Sort::Title => "titre (A → Z)",
            Sort::Recent => "les plus récents",
            Sort::Start => "date de démarrage",
            Sort::Relevance => "pertinence",
        }
    }
}

/// A value of a facet: its key in URLs and its label.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FacetValue {
    /// The key (`transition-ecologique-et-energetique`).
    pub key: String,
    /// The label ("Transition écologique et énergétique").
    pub label: String,
}

/// One record of a list.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Its IRI.
    pub iri: NamedNode,
    /// Its title or name.
    pub title: String,
    /// The start of its description.
    pub summary: String,
    /// Its (leading) organisation: IRI and name.
    pub organisation: Option<(NamedNode, String)>,
    /// `dcterms:modified` or `dcterms:created`, ISO 8601, for "recent".
    pub updated: String,
    /// `schema:startDate`, ISO 8601.
    pub start: String,
    /// Whether the data say it is fictitious.
    pub fictitious: bool,
    /// Its values for each facet.
    pub facets: BTreeMap<Facet, Vec<FacetValue>>,
}

/// The records of every kind, for one version of the data.
#[derive(Debug, Default)]
pub struct Index {
    entries: HashMap<Kind, Vec<Entry>>,
}

/// The filters of a list: facet → keys (OR within a facet).
pub type Filters = BTreeMap<Facet, Vec<String>>;

/// What a list shows.
#[derive(Debug)]
pub struct Selection<'a> {
    /// The records kept, sorted.
    pub entries: Vec<&'a Entry>,
    /// For each facet of the kind, its values with their counts (see the
    /// module's rule), by label.
    pub counts: Vec<(Facet, Vec<(FacetValue, usize)>)>,
}

impl Index {
    /// Reads every record of the lists from the projection, the records
    /// shared among as many threads as the machine has cores (up to four):
    /// a writer waits for this build, and on a busy service, where the
    /// cores are shared thread by thread, one thread would get a small
    /// part of them.
    pub fn build(store: &PublicStore, base: &BaseIri) -> Result<Self, StoreError> {
        let mut wanted = Vec::new();
        for kind in Kind::ALL {
            for iri in store.instances(kind.class())? {
                if base.relative(iri.as_str()).is_some() {
                    wanted.push((kind, iri));
                }
            }
        }
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
        let share = wanted.len().div_ceil(threads).max(1);
        let read = |part: &[(Kind, NamedNode)]| -> Result<Vec<(Kind, Entry)>, StoreError> {
            let mut reader = Reader {
                store,
                base,
                labels: HashMap::new(),
                places: HashMap::new(),
            };
            part.iter()
                .map(|(kind, iri)| Ok((*kind, reader.entry(*kind, iri.clone())?)))
                .collect()
        };
        let parts: Vec<Result<Vec<(Kind, Entry)>, StoreError>> = std::thread::scope(|scope| {
            let running: Vec<_> = wanted
                .chunks(share)
                .map(|part| scope.spawn(move || read(part)))
                .collect();
            running
                .into_iter()
                .map(|t| {
                    t.join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                })
                .collect()
        });
        let mut entries: HashMap<Kind, Vec<Entry>> =
            Kind::ALL.iter().map(|k| (*k, Vec::new())).collect();
        for part in parts {
            for (kind, entry) in part? {
                entries.entry(kind).or_default().push(entry);
            }
        }
        for list in entries.values_mut() {
            list.sort_by(|a, b| a.iri.as_str().cmp(b.iri.as_str()));
        }
        Ok(Self { entries })
    }

    /// All the records of a kind (in IRI order).
    pub fn entries(&self, kind: Kind) -> &[Entry] {
        self.entries.get(&kind).map_or(&[], Vec::as_slice)
    }

    /// The records of a kind kept by `filters`, sorted, with the counts of
    /// every facet of the kind.
    pub fn select(&self, kind: Kind, filters: &Filters, sort: Sort) -> Selection<'_> {
        self.select_matching(kind, filters, sort, None)
    }

    /// As [`Index::select`], among the records a search matched (IRI →
    /// score) when `matching` is given: the facet counts are then those of
    /// the matched records, and [`Sort::Relevance`] orders by score.
    pub fn select_matching(
        &self,
        kind: Kind,
        filters: &Filters,
        sort: Sort,
        matching: Option<&HashMap<String, f32>>,
    ) -> Selection<'_> {
        let all: Vec<&Entry> = self
            .entries(kind)
            .iter()
            .filter(|e| matching.is_none_or(|m| m.contains_key(e.iri.as_str())))
            .collect();
        let keeps = |e: &Entry, except: Option<Facet>| {
            filters.iter().all(|(facet, keys)| {
                Some(*facet) == except
                    || keys.is_empty()
                    || e.facets
                        .get(facet)
                        .is_some_and(|vs| vs.iter().any(|v| keys.contains(&v.key)))
            })
        };
        let mut entries: Vec<&Entry> = all.iter().copied().filter(|e| keeps(e, None)).collect();
        match (sort, matching) {
            (Sort::Relevance, Some(scores)) => entries.sort_by(|a, b| {
                let score = |e: &Entry| scores.get(e.iri.as_str()).copied().unwrap_or(0.0);
                score(b).total_cmp(&score(a)).then(a.title.cmp(&b.title))
            }),
            (Sort::Title | Sort::Relevance, _) => {
                entries.sort_by_cached_key(|e| crate::iri::fold(&e.title))
            }
            (Sort::Recent, _) => {
                entries.sort_by(|a, b| b.updated.cmp(&a.updated).then(a.title.cmp(&b.title)))
            }
            (Sort::Start, _) => {
                entries.sort_by(|a, b| b.start.cmp(&a.start).then(a.title.cmp(&b.title)))
            }
        }
        let counts = kind
            .facets()
            .iter()
            .map(|facet| {
                let mut counted: BTreeMap<FacetValue, usize> = BTreeMap::new();
                for e in all.iter().filter(|e| keeps(e, Some(*facet))) {
                    for v in e.facets.get(facet).into_iter().flatten() {
                        *counted.entry(v.clone()).or_default() += 1;
                    }
                }
                let mut values: Vec<(FacetValue, usize)> = counted.into_iter().collect();
                values.sort_by_cached_key(|(v, _)| crate::iri::fold(&v.label));
                (*facet, values)
            })
            .collect();
        Selection { entries, counts }
    }
}

/// Reads entries, remembering labels and where territories lie.
struct Reader<'a> {
    store: &'a PublicStore,
    base: &'a BaseIri,
    labels: HashMap<NamedNode, String>,
    places: HashMap<NamedNode, (Vec<FacetValue>, Vec<FacetValue>)>,
}

impl Reader<'_> {
    fn entry(&mut self, kind: Kind, iri: NamedNode) -> Result<Entry, StoreError> {
        let store = self.store;
        let text = |p| -> Result<Option<String>, StoreError> {
            Ok(crate::store::best_text_of(
                store.objects(iri.as_ref(), p)?.iter(),
            ))
        };
        let title = self.label(&iri)?;
        let summary = text(dcterms::DESCRIPTION)?
            .map(|d| shorten(&d, 220))
            .unwrap_or_default();
        let literal = |p| -> Result<String, StoreError> {
            Ok(store
                .objects(iri.as_ref(), p)?
                .into_iter()
                .filter_map(|t| match t {
                    Term::Literal(l) => Some(l.value().to_owned()),
                    _ => None,
                })
                .max()
                .unwrap_or_default())
        };
        let updated = [dcterms::MODIFIED, dcterms::CREATED, dcterms::ISSUED]
            .into_iter()
            .map(literal)
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .max()
            .unwrap_or_default();
        let start = literal(schema::START_DATE)?;
        let fictitious = literal(bia::IS_FICTITIOUS)? == "true";
        let mut facets: BTreeMap<Facet, Vec<FacetValue>> = BTreeMap::new();
        let mut organisation = None;
        match kind {
            Kind::Projet => {
                for (facet, p) in [
                    (Facet::Theme, dcat::THEME),
                    (Facet::SubTheme, bia::SUB_THEME),
                    (Facet::Status, adms::STATUS),
                    (Facet::Audience, bia::AUDIENCE),
                ] {
                    let values = self.concepts(&iri, p)?;
                    facets.insert(facet, values);
                }
                let mut risks = Vec::new();
                let mut filled = std::collections::BTreeSet::new();
                for record in self.store.linked(iri.as_ref(), bia::ALGORITHM)? {
                    risks.extend(self.concepts(&record, bia::AI_ACT_RISK_CATEGORY)?);
                    for field in TRANSPARENCY {
                        if !self.store.objects(record.as_ref(), field)?.is_empty() {
                            filled.insert(field);
                        }
                    }
                }
                facets.insert(Facet::RiskCategory, risks);
                facets.insert(Facet::Transparency, vec![transparency_level(filled.len())]);
                if let Some(year) = start
                    .get(..4)
                    .filter(|y| y.bytes().all(|b| b.is_ascii_digit()))
                {
                    facets.insert(
                        Facet::StartYear,
                        vec![FacetValue {
                            key: year.to_owned(),
                            label: year.to_owned(),
                        }],
                    );
                }
                let mut categories = Vec::new();
                for solution in self.store.linked(iri.as_ref(), bia::USES_SOLUTION)? {
                    categories.extend(self.categories(&solution)?);
                }
                facets.insert(Facet::SolutionCategory, categories);
                organisation = self.first_named(&iri, bia::LED_BY)?;
                if let Some((led, _)) = &organisation {
                    self.organisation_facets(led, &mut facets)?;
                }
            }
            Kind::Organisation => self.organisation_facets(&iri, &mut facets)?,
            Kind::Solution => {
                let values = self.categories(&iri)?;
                facets.insert(Facet::SolutionCategory, values);
                organisation = self.first_named(&iri, schema::PROVIDER)?;
            }
            Kind::Ressource => {
                let mut types = Vec::new();
                for class in self.store.linked(iri.as_ref(), rdf::TYPE)? {
                    if class.as_ref() != bia::TECHNICAL_RESOURCE {
                        types.push(self.value(&class)?);
                    }
                }
                facets.insert(Facet::ResourceType, types);
                organisation = self.first_named(&iri, dcterms::PUBLISHER)?;
            }
        }
        for values in facets.values_mut() {
            values.sort();
            values.dedup();
        }
        Ok(Entry {
            iri,
            title,
            summary,
            organisation,
            updated,
            start,
            fictitious,
            facets,
        })
    }

    /// The first IRI value of `p` (the leading organisation, the provider,
    /// the publisher) with its name.
    fn first_named(
        &mut self,
        iri: &NamedNode,
        p: NamedNodeRef<'_>,
    ) -> Result<Option<(NamedNode, String)>, StoreError> {
        match self.store.linked(iri.as_ref(), p)?.into_iter().next() {
            Some(node) => {
                let name = self.label(&node)?;
                Ok(Some((node, name)))
            }
            None => Ok(None),
        }
    }

    fn organisation_facets(
        &mut self,
        organisation: &NamedNode,
        facets: &mut BTreeMap<Facet, Vec<FacetValue>>,
    ) -> Result<(), StoreError> {
        let types = self.concepts(organisation, bia::ORGANISATION_TYPE)?;
        facets
            .entry(Facet::OrganisationType)
            .or_default()
            .extend(types);
        for territory in self
            .store
            .linked(organisation.as_ref(), bia::TERRITORY_LINK)?
        {
            let (regions, departements) = self.place(&territory)?;
            facets.entry(Facet::Region).or_default().extend(regions);
            facets
                .entry(Facet::Departement)
                .or_default()
                .extend(departements);
        }
        Ok(())
    }

    /// The régions and départements a territory lies in (itself included);
    /// an intercommunalité lies where its member communes do.
    fn place(
        &mut self,
        territory: &NamedNode,
    ) -> Result<(Vec<FacetValue>, Vec<FacetValue>), StoreError> {
        if let Some(known) = self.places.get(territory) {
            return Ok(known.clone());
        }
        let mut regions = Vec::new();
        let mut departements = Vec::new();
        let mut around = vec![territory.clone()];
        around.extend(
            self.store
                .linked(territory.as_ref(), igeo::SUBDIVISION_DE)?,
        );
        if self
            .store
            .has_type(territory.as_ref(), igeo::INTERCOMMUNALITE)?
        {
            for member in self
                .store
                .subjects(bia::MEMBER_OF, territory.as_ref().into())?
            {
                if let NamedOrBlankNode::NamedNode(m) = member {
                    around.extend(self.store.linked(m.as_ref(), igeo::SUBDIVISION_DE)?);
                }
            }
        }
        around.sort();
        around.dedup();
        for t in around {
            if self.store.has_type(t.as_ref(), igeo::REGION)? {
                regions.push(self.value(&t)?);
            } else if self.store.has_type(t.as_ref(), igeo::DEPARTEMENT)? {
                departements.push(self.value(&t)?);
            }
        }
        let found = (regions, departements);
        self.places.insert(territory.clone(), found.clone());
        Ok(found)
    }

    fn categories(&mut self, solution: &NamedNode) -> Result<Vec<FacetValue>, StoreError> {
        Ok(self
            .store
            .objects(solution.as_ref(), schema::APPLICATION_CATEGORY)?
            .into_iter()
            .filter_map(|t| match t {
                Term::Literal(l) => Some(FacetValue {
                    key: slug(l.value()),
                    label: l.value().to_owned(),
                }),
                _ => None,
            })
            .collect())
    }

    fn concepts(
        &mut self,
        subject: &NamedNode,
        p: NamedNodeRef<'_>,
    ) -> Result<Vec<FacetValue>, StoreError> {
        let mut out = Vec::new();
        for n in self.store.linked(subject.as_ref(), p)? {
            out.push(self.value(&n)?);
        }
        Ok(out)
    }

    /// A node as a facet value: the last segment of its path is the key.
    fn value(&mut self, node: &NamedNode) -> Result<FacetValue, StoreError> {
        let key = node
            .as_str()
            .rsplit(['/', '#'])
            .next()
            .unwrap_or_default()
            .to_owned();
        Ok(FacetValue {
            key,
            label: self.label(node)?,
        })
    }

    fn label(&mut self, node: &NamedNode) -> Result<String, StoreError> {
        if let Some(l) = self.labels.get(node) {
            return Ok(l.clone());
        }
        let label = match self.store.label(node.as_ref())? {
            Some(l) => l,
            None => self
                .base
                .relative(node.as_str())
                .unwrap_or(node.as_str())
                .to_owned(),
        };
        self.labels.insert(node.clone(), label.clone());
        Ok(label)
    }
}

/// At most `max` characters, cut at a word, with an ellipsis.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(a, _)| a);
    format!("{}…", cut.trim_end_matches([',', ';', ':', '.']))
}

//! Every IRI the code uses, as documented constants.
//!
//! bibia's own vocabulary lives under the fixed namespace [`BIA`]; the other
//! modules are the standard vocabularies the data model reuses. A test checks
//! that each `bia:` constant is declared in `ontology/bibia.ttl`.

use oxrdf::NamedNodeRef;

/// The namespace of bibia's ontology, independent of any deployment.
pub const BIA: &str = "https://w3id.org/bibia/def#";

/// The IRI of the ontology document (and of its named graph).
pub const ONTOLOGY: NamedNodeRef<'static> =
    NamedNodeRef::new_unchecked("https://w3id.org/bibia/def");

/// The private graph that records load and import runs (never public).
pub const SYSTEM_GRAPH: NamedNodeRef<'static> = NamedNodeRef::new_unchecked("urn:bibia:system");

/// The private graph of the contributions: changes waiting for a
/// moderator, the accepted ones (each a revision of its record, with its
/// content before and after) and the error reports (never public).
pub const JOURNAL_GRAPH: NamedNodeRef<'static> = NamedNodeRef::new_unchecked("urn:bibia:journal");

/// Whether a graph is one of bibia's private system graphs (`urn:bibia:…`),
/// which the public projection never receives.
pub fn is_system_graph(graph: &str) -> bool {
    graph.starts_with("urn:bibia:")
}

macro_rules! terms {
    ($ns:expr; $($(#[$doc:meta])* $name:ident = $local:literal;)*) => {
        $(
            $(#[$doc])*
            pub const $name: oxrdf::NamedNodeRef<'static> =
                oxrdf::NamedNodeRef::new_unchecked(concat!($ns, $local));
        )*
        /// Every term of this module (checked against the ontology by a test).
        pub const ALL: &[oxrdf::NamedNodeRef<'static>] = &[$($name),*];
    };
}

pub mod sh;

/// bibia's own terms (`https://w3id.org/bibia/def#`).
pub mod bia {
    terms! { "https://w3id.org/bibia/def#";
        /// Annotation giving a property's access level.
        ACCESS_LEVEL = "accessLevel";
        /// Access level: published.
        PUBLIC = "public";
        /// Access level: visible to the network's members only.
        RESTREINT = "restreint";
        /// Class of AI use cases (projets).
        USE_CASE = "UseCase";
        /// Class of transparency records of an algorithm.
        ALGORITHM_RECORD = "AlgorithmRecord";
        /// Class of solutions (products, tools).
        SOLUTION = "Solution";
        /// Class of technical resources.
        TECHNICAL_RESOURCE = "TechnicalResource";
        /// Class of technical resources that are data sets.
        DATASET = "Dataset";
        /// Class of territories.
        TERRITORY = "Territory";
        /// Class of qualified partnerships.
        PARTNERSHIP = "Partnership";
        /// Local authority (collectivité).
        LOCAL_AUTHORITY = "LocalAuthority";
        /// Company.
        COMPANY = "Company";
        /// Public operator or public establishment.
        PUBLIC_OPERATOR = "PublicOperator";
        /// Research laboratory.
        RESEARCH_LAB = "ResearchLab";
        /// Association.
        ASSOCIATION = "Association";
        /// State service.
        STATE_SERVICE = "StateService";
        /// Organisation that leads a use case.
        LED_BY = "ledBy";
        /// Organisation type concept.
        ORGANISATION_TYPE = "organisationType";
        /// Sub-theme concept.
        SUB_THEME = "subTheme";
        /// Audience concept.
        AUDIENCE = "audience";
        /// Why a project was abandoned.
        ABANDON_REASON = "abandonReason";
        /// Qualified partnership link.
        PARTNERSHIP_LINK = "partnership";
        /// Partner organisation of a partnership.
        PARTNER = "partner";
        /// Role of a partner.
        PARTNER_ROLE = "partnerRole";
        /// Funding source concept.
        FUNDING_SOURCE = "fundingSource";
        /// Free-text funding note.
        FUNDING_NOTE = "fundingNote";
        /// Budget band concept.
        BUDGET_BAND = "budgetBand";
        /// Delivery mode concept.
        DELIVERY_MODE = "deliveryMode";
        /// Hosting concept.
        HOSTING = "hosting";
        /// Link to the algorithm record.
        ALGORITHM = "algorithm";
        /// Name of the algorithm.
        ALGORITHM_NAME = "algorithmName";
        /// Description of the algorithm.
        ALGORITHM_DESCRIPTION = "algorithmDescription";
        /// Operations performed by the algorithm.
        ALGORITHM_OPERATIONS = "algorithmOperations";
        /// Algorithm type concept.
        ALGORITHM_TYPE = "algorithmType";
        /// Environmental impact assessment.
        ENVIRONMENTAL_IMPACT = "environmentalImpact";
        /// Data source concept.
        DATA_SOURCE = "dataSource";
        /// Data access mode concept.
        DATA_ACCESS = "dataAccess";
        /// Risk assessment.
        RISK_ASSESSMENT = "riskAssessment";
        /// AI Act risk category concept.
        AI_ACT_RISK_CATEGORY = "aiActRiskCategory";
        /// Proportionality.
        PROPORTIONALITY = "proportionality";
        /// Scope of the decision.
        DECISION_SCOPE = "decisionScope";
        /// Error level concept.
        ERROR_LEVEL = "errorLevel";
        /// Explainability level concept.
        EXPLAINABILITY_LEVEL = "explainabilityLevel";
        /// Reversibility.
        REVERSIBILITY = "reversibility";
        /// How to object.
        OBJECTION_PROCEDURE = "objectionProcedure";
        /// Human oversight.
        HUMAN_OVERSIGHT = "humanOversight";
        /// Legal basis.
        LEGAL_BASIS = "legalBasis";
        /// Impact assessment (an analyse d'impact, DPIA or fundamental rights).
        IMPACT_ASSESSMENT = "impactAssessment";
        /// Raw resource URL from the network's model.
        RESOURCE_URL = "resourceUrl";
        /// Solutions used by a use case.
        USES_SOLUTION = "usesSolution";
        /// Resources of a use case.
        HAS_RESOURCE = "hasResource";
        /// SIREN of an organisation.
        SIREN = "siren";
        /// SIRET of an organisation.
        SIRET = "siret";
        /// Territory of an organisation.
        TERRITORY_LINK = "territory";
        /// A commune's intercommunalité.
        MEMBER_OF = "memberOf";
        /// A record withdrawn from the library (its IRI answers 410).
        WITHDRAWN_RECORD = "WithdrawnRecord";
        /// Marks fictitious (demo) records.
        IS_FICTITIOUS = "isFictitious";
        /// A list value that matched no concept.
        UNMATCHED_VALUE = "unmatchedValue";
        /// Row of the source file a record came from.
        SOURCE_ROW = "sourceRow";
    }
}

/// Dublin Core terms.
pub mod dcterms {
    terms! { "http://purl.org/dc/terms/";
        /// Title.
        TITLE = "title";
        /// Description.
        DESCRIPTION = "description";
        /// Modification date.
        MODIFIED = "modified";
        /// Creation date.
        CREATED = "created";
        /// Date of publication.
        ISSUED = "issued";
        /// The record replacing a withdrawn one.
        IS_REPLACED_BY = "isReplacedBy";
        /// Source.
        SOURCE = "source";
        /// Licence.
        LICENSE = "license";
        /// Publisher.
        PUBLISHER = "publisher";
        /// Identifier (a literal).
        IDENTIFIER = "identifier";
        /// Language.
        LANGUAGE = "language";
        /// Period a dataset covers.
        TEMPORAL = "temporal";
        /// A standard something conforms to.
        CONFORMS_TO = "conformsTo";
        /// Class of periods of time.
        PERIOD_OF_TIME = "PeriodOfTime";
        /// Class of licence documents.
        LICENSE_DOCUMENT = "LicenseDocument";
        /// Class of media types.
        MEDIA_TYPE = "MediaType";
        /// Class of languages.
        LINGUISTIC_SYSTEM = "LinguisticSystem";
        /// Class of standards.
        STANDARD = "Standard";
    }
}

/// DCAT 3.
pub mod dcat {
    terms! { "http://www.w3.org/ns/dcat#";
        /// Theme.
        THEME = "theme";
        /// Contact point.
        CONTACT_POINT = "contactPoint";
        /// Class of catalogues.
        CATALOG = "Catalog";
        /// Class of datasets.
        DATASET = "Dataset";
        /// Class of distributions.
        DISTRIBUTION = "Distribution";
        /// Class of data services.
        DATA_SERVICE = "DataService";
        /// A dataset of a catalogue.
        HAS_DATASET = "dataset";
        /// A distribution of a dataset.
        HAS_DISTRIBUTION = "distribution";
        /// A data service of a catalogue.
        SERVICE = "service";
        /// Where a distribution is reached.
        ACCESS_URL = "accessURL";
        /// Where a distribution's file is downloaded.
        DOWNLOAD_URL = "downloadURL";
        /// A distribution's media type.
        MEDIA_TYPE = "mediaType";
        /// A data service's endpoint.
        ENDPOINT_URL = "endpointURL";
        /// What a data service serves.
        SERVES_DATASET = "servesDataset";
        /// The service a distribution is reached through.
        ACCESS_SERVICE = "accessService";
        /// A web page about a dataset.
        LANDING_PAGE = "landingPage";
        /// Start of a period.
        START_DATE = "startDate";
        /// The compression of a distribution's file.
        COMPRESS_FORMAT = "compressFormat";
        /// A distribution's size in bytes.
        BYTE_SIZE = "byteSize";
    }
}

/// SKOS.
pub mod skos {
    terms! { "http://www.w3.org/2004/02/skos/core#";
        /// Concept class.
        CONCEPT = "Concept";
        /// Concept scheme class.
        CONCEPT_SCHEME = "ConceptScheme";
        /// Preferred label.
        PREF_LABEL = "prefLabel";
        /// Alternative label.
        ALT_LABEL = "altLabel";
        /// Hidden label.
        HIDDEN_LABEL = "hiddenLabel";
        /// Notation.
        NOTATION = "notation";
        /// Definition of a concept.
        DEFINITION = "definition";
        /// Scheme membership.
        IN_SCHEME = "inScheme";
        /// Broader concept.
        BROADER = "broader";
    }
}

/// ADMS.
pub mod adms {
    terms! { "http://www.w3.org/ns/adms#";
        /// Status.
        STATUS = "status";
    }
}

/// W3C ORG.
pub mod org {
    terms! { "http://www.w3.org/ns/org#";
        /// Organisation class.
        ORGANIZATION = "Organization";
    }
}

/// FOAF.
pub mod foaf {
    terms! { "http://xmlns.com/foaf/0.1/";
        /// Name.
        NAME = "name";
        /// Primary topic of a document.
        PRIMARY_TOPIC = "primaryTopic";
        /// Class of agents (publishers).
        AGENT = "Agent";
        /// Class of documents (web pages).
        DOCUMENT = "Document";
        /// Home page.
        HOMEPAGE = "homepage";
    }
}

/// schema.org.
pub mod schema {
    terms! { "http://schema.org/";
        /// Start date.
        START_DATE = "startDate";
        /// URL.
        URL = "url";
        /// Logo.
        LOGO = "logo";
        /// Name.
        NAME = "name";
        /// Category of a solution.
        APPLICATION_CATEGORY = "applicationCategory";
        /// Who provides a solution.
        PROVIDER = "provider";
        /// A range the ontology states for a reused property, as a hint.
        RANGE_INCLUDES = "rangeIncludes";
    }
}

/// WGS84 positions.
pub mod geo {
    terms! { "http://www.w3.org/2003/01/geo/wgs84_pos#";
        /// Latitude.
        LAT = "lat";
        /// Longitude.
        LONG = "long";
    }
}

/// vCard.
pub mod vcard {
    terms! { "http://www.w3.org/2006/vcard/ns#";
        /// Kind (contact) class.
        KIND = "Kind";
        /// Formatted name.
        FN = "fn";
        /// E-mail.
        HAS_EMAIL = "hasEmail";
    }
}

/// The INSEE geography ontology (`http://rdf.insee.fr/def/geo#`).
pub mod igeo {
    terms! { "http://rdf.insee.fr/def/geo#";
        /// Class of régions.
        REGION = "Region";
        /// Class of départements.
        DEPARTEMENT = "Departement";
        /// Class of communes.
        COMMUNE = "Commune";
        /// Class of intercommunalités (EPCI).
        INTERCOMMUNALITE = "Intercommunalite";
        /// The larger territory a territory is part of.
        SUBDIVISION_DE = "subdivisionDe";
    }
}

/// Hydra's paging terms (`http://www.w3.org/ns/hydra/core#`).
pub mod hydra {
    terms! { "http://www.w3.org/ns/hydra/core#";
        /// A page of a collection.
        PARTIAL_COLLECTION_VIEW = "PartialCollectionView";
        /// The page of a collection.
        VIEW = "view";
        /// The first page.
        FIRST = "first";
        /// The next page.
        NEXT = "next";
        /// The next page (Hydra's older term, which harvesters still read).
        NEXT_PAGE = "nextPage";
        /// The previous page.
        PREVIOUS = "previous";
        /// The last page.
        LAST = "last";
        /// How many items the collection holds.
        TOTAL_ITEMS = "totalItems";
        /// Items per page (Hydra's older term).
        ITEMS_PER_PAGE = "itemsPerPage";
    }
}

/// OWL (`http://www.w3.org/2002/07/owl#`).
pub mod owl {
    terms! { "http://www.w3.org/2002/07/owl#";
        /// The same thing under another IRI (INSEE, Wikidata).
        SAME_AS = "sameAs";
    }
}

/// VoID, the Vocabulary of Interlinked Datasets.
pub mod void {
    terms! { "http://rdfs.org/ns/void#";
        /// Class of datasets.
        DATASET = "Dataset";
        /// Class of the documents that describe datasets.
        DATASET_DESCRIPTION = "DatasetDescription";
        /// Distinct triples.
        TRIPLES = "triples";
        /// Entities (IRIs in the URI space).
        ENTITIES = "entities";
        /// Distinct classes.
        CLASSES = "classes";
        /// Distinct properties.
        PROPERTIES = "properties";
        /// Distinct subjects.
        DISTINCT_SUBJECTS = "distinctSubjects";
        /// Distinct objects.
        DISTINCT_OBJECTS = "distinctObjects";
        /// The part of a dataset about one class.
        CLASS_PARTITION = "classPartition";
        /// The part of a dataset about one property.
        PROPERTY_PARTITION = "propertyPartition";
        /// The class of a class partition.
        CLASS = "class";
        /// The property of a property partition.
        PROPERTY = "property";
        /// A SPARQL endpoint.
        SPARQL_ENDPOINT = "sparqlEndpoint";
        /// A file of the whole dataset.
        DATA_DUMP = "dataDump";
        /// The prefix of the dataset's entities.
        URI_SPACE = "uriSpace";
        /// A vocabulary used.
        VOCABULARY = "vocabulary";
        /// A representative entity.
        EXAMPLE_RESOURCE = "exampleResource";
        /// A format the dataset is served in.
        FEATURE = "feature";
    }
}

/// DASH, the form annotations of SHACL shapes (`http://datashapes.org/dash#`).
pub mod dash {
    terms! { "http://datashapes.org/dash#";
        /// `true` on a property shape: its text fits on one line (a title,
        /// a name), so its form field is an input rather than a text area.
        SINGLE_LINE = "singleLine";
    }
}

/// PROV-O.
pub mod prov {
    terms! { "http://www.w3.org/ns/prov#";
        /// Activity class.
        ACTIVITY = "Activity";
        /// Generation time.
        GENERATED_AT_TIME = "generatedAtTime";
        /// Start time of an activity.
        STARTED_AT_TIME = "startedAtTime";
    }
}

/// The terms of the change feed read replicas follow (`/flux`): quads in
/// the graph [`replication::GRAPH`] are instructions, not data.
pub mod replication {
    use oxigraph::model::NamedNodeRef;

    /// The graph of the feed's instructions (and their subject).
    pub const GRAPH: NamedNodeRef<'static> = NamedNodeRef::new_unchecked("urn:bibia:replication");

    terms! { "urn:bibia:replication#";
        /// A graph to replace (its quads follow; none: remove it).
        REPLACES = "remplace";
        /// The default graph is to be replaced.
        REPLACES_DEFAULT = "remplaceGrapheParDefaut";
        /// The last line: the position the answer takes a replica to.
        END = "fin";
    }
}

/// The private terms of the journal of contributions (in
/// [`JOURNAL_GRAPH`] only, never published, so not in the ontology).
pub mod journal {
    terms! { "urn:bibia:journal#";
        /// The record a change or revision is about.
        RECORD = "record";
        /// What the change does: `put`, `withdraw` or `restore`.
        ACTION = "action";
        /// `pending`, `accepted` (by a moderator), `applied` (published
        /// directly) or `refused`.
        STATE = "state";
        /// The record's N-Triples after the change.
        CONTENT = "content";
        /// The record's N-Triples before the change (empty for a creation).
        PREVIOUS = "previous";
        /// The record's entity tag the change was made against.
        BASE = "base";
        /// An opaque reference of the account that made the change.
        ACCOUNT = "account";
        /// The organisation of who made the change.
        ORGANISATION = "organisation";
        /// When the change was submitted.
        SUBMITTED = "submitted";
        /// When a moderator decided (or the change was applied).
        DECIDED = "decided";
        /// The moderator who decided (an opaque account reference).
        MODERATOR = "moderator";
        /// The reason of a refusal, or the withdrawal notice.
        REASON = "reason";
        /// The revision a restoration brings back.
        RESTORES = "restores";
        /// An error report: the page it is about.
        PAGE = "page";
        /// An error report: its text.
        MESSAGE = "message";
        /// An error report: the address to answer to (optional).
        EMAIL = "email";
        /// The class of error reports.
        REPORT = "Report";
        /// The class of changes.
        CHANGE = "Change";
    }
}

/// The prefixes of bibia, the one table for every serialisation (Turtle,
/// TriG, JSON-LD, RDF/XML), the query page and the validation reports.
pub const PREFIXES: &[(&str, &str)] = &[
    ("bia", BIA),
    ("dcterms", "http://purl.org/dc/terms/"),
    ("dcat", "http://www.w3.org/ns/dcat#"),
    ("skos", "http://www.w3.org/2004/02/skos/core#"),
    ("adms", "http://www.w3.org/ns/adms#"),
    ("org", "http://www.w3.org/ns/org#"),
    ("foaf", "http://xmlns.com/foaf/0.1/"),
    ("schema", "http://schema.org/"),
    ("geo", "http://www.w3.org/2003/01/geo/wgs84_pos#"),
    ("igeo", "http://rdf.insee.fr/def/geo#"),
    ("vcard", "http://www.w3.org/2006/vcard/ns#"),
    ("prov", "http://www.w3.org/ns/prov#"),
    ("void", "http://rdfs.org/ns/void#"),
    ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
    ("owl", "http://www.w3.org/2002/07/owl#"),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
    ("doap", "http://usefulinc.com/ns/doap#"),
    ("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
    ("sh", "http://www.w3.org/ns/shacl#"),
];

//! Command-line arguments (clap derive). Every flag also reads an
//! environment variable named `BIBIA_…`.

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// bibia: the Linked-Open-Data service of the bibliothèque d'IA territoriale.
#[derive(Debug, Parser)]
#[command(name = "bibia", version, about, long_about = None)]
pub struct Args {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options shared by the commands that open the store or the accounts.
#[derive(Debug, Clone, clap::Args)]
pub struct StoreArgs {
    /// Data directory (RocksDB stores, accounts in `comptes/`).
    #[arg(long, env = "BIBIA_DATA_DIR", default_value = "bibia-data")]
    pub data_dir: PathBuf,
    /// Base IRI that relative IRIs resolve against (default: the local
    /// address, http://localhost:8080/).
    #[arg(long, env = "BIBIA_BASE_IRI")]
    pub base_iri: Option<String>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the HTTP service (loads the demo data into an empty store).
    Serve {
        /// Where the store is.
        #[command(flatten)]
        store: StoreArgs,
        /// Address to listen on.
        #[arg(long, env = "BIBIA_BIND", default_value = "127.0.0.1:8080")]
        bind: String,
        /// Server limit for a SPARQL query, in seconds.
        #[arg(long, env = "BIBIA_QUERY_TIMEOUT", default_value_t = 30)]
        query_timeout: u64,
        /// Maximum number of result rows of a SPARQL query.
        #[arg(long, env = "BIBIA_MAX_ROWS", default_value_t = 100_000)]
        max_rows: usize,
        /// Maximum number of SPARQL queries evaluated at once.
        #[arg(long, env = "BIBIA_MAX_CONCURRENT_QUERIES", default_value_t = 8)]
        max_concurrent_queries: usize,
        /// Maximum number of SPARQL queries waiting for one of those places
        /// (their wait counts in their time limit); past it, 503.
        #[arg(long, env = "BIBIA_MAX_QUEUED_QUERIES", default_value_t = 128)]
        max_queued_queries: usize,
        /// Maximum size of a request body (a query sent by POST), in bytes;
        /// past it, 413.
        #[arg(long, env = "BIBIA_MAX_BODY_BYTES", default_value_t = 1_048_576)]
        max_body_bytes: usize,
        /// Memory for the cache of SPARQL answers, in MiB (answers to the
        /// same query over unchanged data are served from it); 0 turns it
        /// off.
        #[arg(long, env = "BIBIA_ANSWER_CACHE_MB", default_value_t = 128)]
        answer_cache_mb: usize,
        /// Maximum number of HTTP connections served at once (one thread
        /// each); the next ones wait.
        #[arg(long, env = "BIBIA_MAX_CONNECTIONS", default_value_t = 256)]
        max_connections: usize,
        /// Endpoints SPARQL `SERVICE` may call (none by default).
        #[arg(
            long = "service-allow",
            env = "BIBIA_SERVICE_ALLOW",
            value_delimiter = ','
        )]
        service_allow: Vec<String>,
        /// Do not load the demo data into an empty store.
        #[arg(long, env = "BIBIA_NO_DEMO")]
        no_demo: bool,
        /// Datasets per page of the DCAT catalogue (`/catalog?page=N`).
        #[arg(long, env = "BIBIA_CATALOG_PAGE_SIZE", default_value_t = crate::catalog::PAGE_SIZE)]
        catalog_page_size: usize,
        /// The address the pages' "signaler une erreur" links write to.
        #[arg(long, env = "BIBIA_CONTACT_EMAIL", default_value = crate::config::DEFAULT_CONTACT)]
        contact_email: String,
        /// Serve a read-only copy of this primary (`http://10.0.0.1:8080/`),
        /// kept up to date from its change feed; writes stay on the primary.
        #[arg(long, env = "BIBIA_REPLICA_OF", value_name = "URL")]
        replica_of: Option<String>,
    },
    /// Validate files and load them into the store, atomically.
    Load {
        /// Where the store is.
        #[command(flatten)]
        store: StoreArgs,
        /// Files: .ttl .trig .nt .nq .jsonld .rdf (optionally .gz).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Rename the IRIs of files exported by a service at another base
        /// IRI (`…/id/projet/x`) to the same paths under this store's base.
        #[arg(long)]
        rebase: bool,
        /// Load through this running service (`http://127.0.0.1:8080/`),
        /// which holds the store, with a moderator's token in `BIBIA_TOKEN`.
        #[arg(long, env = "BIBIA_SERVICE", value_name = "URL")]
        via: Option<String>,
    },
    /// Validate files against the shapes without loading them.
    Validate {
        /// Shapes files or directories (default: bibia's own shapes).
        #[arg(long)]
        shapes: Vec<PathBuf>,
        /// Report format.
        #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
        format: ReportFormat,
        /// Base IRI for relative IRIs.
        #[arg(long, env = "BIBIA_BASE_IRI")]
        base_iri: Option<String>,
        /// Do not add bibia's ontology and vocabularies to the data graph.
        #[arg(long)]
        no_context: bool,
        /// Print timings on stderr: whole validation, and each use-case
        /// record validated on its own (median and worst).
        #[arg(long)]
        timings: bool,
        /// Files to validate.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Import the network's CSV inventory.
    Import {
        /// The source layout.
        #[command(subcommand)]
        source: ImportSource,
    },
    /// Export the public projection (or everything with --full).
    Export {
        /// Where the store is.
        #[command(flatten)]
        store: StoreArgs,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ExportFormat::Nq)]
        format: ExportFormat,
        /// Include restricted data (never publish this file).
        #[arg(long)]
        full: bool,
        /// Output file (`.gz` compresses); standard output when absent.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Consistent online backup of the store into DIR.
    Backup {
        /// Where the store is.
        #[command(flatten)]
        store: StoreArgs,
        /// Target directory (must not exist).
        dir: PathBuf,
    },
    /// Restore a backup made by `bibia backup`.
    Restore {
        /// Where the store is.
        #[command(flatten)]
        store: StoreArgs,
        /// Backup directory.
        dir: PathBuf,
    },
    /// Rebuild the public projection from the full store, then the search
    /// index from the projection.
    Reindex {
        /// Where the store is.
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Generate a synthetic graph that conforms to the shapes (benchmarks).
    Generate {
        /// Number of use cases.
        #[arg(long)]
        projects: usize,
        /// Random seed (same seed, same file).
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Output file: N-Triples lines, valid as .nt or .ttl (.gz compresses).
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Accounts of contributors and moderators (never opens the stores:
    /// works while `bibia serve` runs).
    User {
        /// What to do.
        #[command(subcommand)]
        action: UserAction,
    },
    /// API tokens of the accounts.
    Token {
        /// What to do.
        #[command(subcommand)]
        action: TokenAction,
    },
    /// Organisations trusted to publish without moderation.
    Organisation {
        /// What to do.
        #[command(subcommand)]
        action: OrganisationAction,
    },
}

/// `bibia user …`: the accounts. A password comes from `BIBIA_PASSWORD`
/// if set, else from one line of standard input.
#[derive(Debug, Subcommand)]
pub enum UserAction {
    /// Create an account: a contributor of an organisation, or a moderator.
    #[command(group(
        clap::ArgGroup::new("role")
            .required(true)
            .args(["organisation", "moderator"])
    ))]
    Add {
        /// Where the data is.
        #[command(flatten)]
        store: StoreArgs,
        /// The log-in: an e-mail address.
        login: String,
        /// The person's name.
        #[arg(long)]
        name: String,
        /// A contributor's organisation: its slug (`mairie-x`, read as
        /// `{base}id/organisation/mairie-x`) or its IRI.
        #[arg(long, value_name = "IRI_OU_SLUG")]
        organisation: Option<String>,
        /// A moderator of the network (no organisation).
        #[arg(long)]
        moderator: bool,
    },
    /// List the accounts.
    List {
        /// Where the data is.
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Disable an account: no more log-in, sessions or tokens.
    Disable {
        /// Where the data is.
        #[command(flatten)]
        store: StoreArgs,
        /// The log-in.
        login: String,
    },
    /// Enable a disabled account again.
    Enable {
        /// Where the data is.
        #[command(flatten)]
        store: StoreArgs,
        /// The log-in.
        login: String,
    },
    /// Give an account a new password.
    Password {
        /// Where the data is.
        #[command(flatten)]
        store: StoreArgs,
        /// The log-in.
        login: String,
    },
}

/// `bibia token …`: the API tokens.
#[derive(Debug, Subcommand)]
pub enum TokenAction {
    /// Make a token for an account; its secret is printed once, on
    /// standard output.
    Create {
        /// Where the data is.
        #[command(flatten)]
        store: StoreArgs,
        /// The account's log-in.
        login: String,
        /// What the token is for.
        #[arg(long, default_value = "")]
        label: String,
    },
    /// List the tokens (never their secrets).
    List {
        /// Where the data is.
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Revoke a token for good.
    Revoke {
        /// Where the data is.
        #[command(flatten)]
        store: StoreArgs,
        /// The token's identifier (8 hexadecimal digits, as listed).
        id: String,
    },
}

/// `bibia organisation …`: the organisations trusted to publish without
/// moderation.
#[derive(Debug, Subcommand)]
pub enum OrganisationAction {
    /// Trust an organisation: its contributors publish without moderation.
    Trust {
        /// Where the data is.
        #[command(flatten)]
        store: StoreArgs,
        /// Its slug (`mairie-x`) or IRI.
        #[arg(value_name = "IRI_OU_SLUG")]
        organisation: String,
    },
    /// Stop trusting an organisation.
    Untrust {
        /// Where the data is.
        #[command(flatten)]
        store: StoreArgs,
        /// Its slug (`mairie-x`) or IRI.
        #[arg(value_name = "IRI_OU_SLUG")]
        organisation: String,
    },
    /// List the trusted organisations.
    ListTrusted {
        /// Where the data is.
        #[command(flatten)]
        store: StoreArgs,
    },
}

/// Import sources.
#[derive(Debug, Subcommand)]
pub enum ImportSource {
    /// The network's CSV layouts (public export, older semicolon layout, full model).
    Interconnectes {
        /// Where the store is.
        #[command(flatten)]
        store: StoreArgs,
        /// The CSV file.
        file: PathBuf,
        /// The file's column of some fields, overriding detection:
        /// `champ=colonne,…` with the network's field names
        /// (`Nom_du_projet=Intitulé,Statut_du_projet=État`).
        #[arg(
            long,
            value_name = "CHAMP=COLONNE",
            value_delimiter = ',',
            value_parser = crate::import::parse_column
        )]
        columns: Vec<(crate::import::Field, String)>,
        /// Check and report without writing.
        #[arg(long)]
        dry_run: bool,
        /// Write rejected rows back as CSV with a reason column.
        #[arg(long)]
        report: Option<PathBuf>,
        /// Import through this running service (`http://127.0.0.1:8080/`),
        /// which holds the store, with a moderator's token in `BIBIA_TOKEN`.
        #[arg(long, env = "BIBIA_SERVICE", value_name = "URL")]
        via: Option<String>,
    },
}

/// Validation report formats.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ReportFormat {
    /// French text grouped by focus node.
    Text,
    /// SHACL validation report in Turtle.
    Turtle,
    /// JSON.
    Json,
}

/// Export formats.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ExportFormat {
    /// N-Quads.
    Nq,
    /// TriG.
    Trig,
    /// Turtle (graphs merged).
    Ttl,
    /// N-Triples (graphs merged).
    Nt,
    /// JSON-LD.
    Jsonld,
}

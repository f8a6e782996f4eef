//! The `bibia` command line: one file per subcommand, each calling domain
//! code. Exit codes: 0 success, 1 the data did not conform or rows were
//! rejected, 2 usage or I/O error.

mod accounts;
pub mod args;
mod export;
mod generate;
pub mod import;
mod load;
mod remote;
mod serve;
mod validate;

pub use args::Args;

use crate::config::base_or_local;
use crate::store::Stores;
use anyhow::Context as _;
use args::{Command, ImportSource, StoreArgs};

/// The outcome of a command that ran to its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything went through.
    Success,
    /// The data did not conform, or some rows were rejected.
    Rejected,
}

/// Runs one command.
pub fn run(args: Args) -> anyhow::Result<Outcome> {
    match args.command {
        Command::Serve {
            store,
            bind,
            query_timeout,
            max_rows,
            max_concurrent_queries,
            max_queued_queries,
            max_body_bytes,
            answer_cache_mb,
            max_connections,
            service_allow,
            no_demo,
            catalog_page_size,
            contact_email,
            replica_of,
        } => {
            let limits = crate::config::QueryLimits {
                timeout: std::time::Duration::from_secs(query_timeout),
                max_rows,
                max_concurrent: max_concurrent_queries,
                max_queued: max_queued_queries,
                max_body: max_body_bytes,
                service_allow,
                answer_cache: answer_cache_mb.saturating_mul(1024 * 1024),
            };
            let config = crate::config::Config::new(
                store.data_dir,
                store.base_iri.as_deref(),
                &bind,
                limits,
                max_connections,
                !no_demo,
            )?
            .with_contact(&contact_email)?;
            if catalog_page_size == 0 {
                return Err(crate::config::ConfigError::Zero("--catalog-page-size").into());
            }
            serve::run(crate::config::Config {
                catalog_page_size,
                replica_of,
                ..config
            })
        }
        Command::Load {
            store,
            files,
            rebase,
            via: Some(via),
        } => remote::load(
            &remote::Service::new(&via)?,
            &base_or_local(store.base_iri.as_deref(), None)?,
            &files,
            rebase,
        ),
        Command::Load {
            store,
            files,
            rebase,
            via: None,
        } => load::run(&open(&store)?, &files, rebase),
        Command::Validate {
            shapes,
            format,
            base_iri,
            no_context,
            timings,
            files,
        } => validate::run(
            &shapes,
            format,
            base_iri.as_deref(),
            no_context,
            timings,
            &files,
        ),
        Command::Import {
            source:
                ImportSource::Interconnectes {
                    store,
                    file,
                    columns,
                    dry_run,
                    report,
                    via: Some(via),
                },
        } => {
            anyhow::ensure!(
                report.is_none(),
                "--report n'est pas possible avec --via : le service donne les lignes rejetées dans son rapport"
            );
            let _ = store;
            remote::import(&remote::Service::new(&via)?, &file, &columns, dry_run)
        }
        Command::Import {
            source:
                ImportSource::Interconnectes {
                    store,
                    file,
                    columns,
                    dry_run,
                    report,
                    via: None,
                },
        } => import::run(&open(&store)?, &file, &columns, dry_run, report.as_deref()),
        Command::Export {
            store,
            format,
            full,
            output,
        } => export::run(&open(&store)?, format, full, output.as_deref()),
        Command::Backup { store, dir } => {
            anyhow::ensure!(
                !dir.exists(),
                "{} existe déjà : la sauvegarde va dans un dossier nouveau",
                dir.display()
            );
            open(&store)?
                .backup(&dir)
                .with_context(|| format!("sauvegarde vers {}", dir.display()))?;
            eprintln!("Sauvegarde écrite dans {}", dir.display());
            Ok(Outcome::Success)
        }
        Command::Restore { store, dir } => {
            let base = base_or_local(store.base_iri.as_deref(), None)?;
            let stores = crate::store::restore(&dir, &store.data_dir, base)?;
            let (full, public) = stores.sizes()?;
            eprintln!("Restauration terminée : {full} quads, dont {public} publics.");
            Ok(Outcome::Success)
        }
        Command::Reindex { store } => {
            let stores = open(&store)?;
            stores.reindex()?;
            let (full, public) = stores.sizes()?;
            eprintln!("Projection publique reconstruite : {public} quads publics sur {full}.");
            let started = std::time::Instant::now();
            let search = crate::search::Searches::new(store.data_dir.join("search"))
                .rebuild(&stores.public(), stores.base())?;
            eprintln!(
                "Index de recherche reconstruit : {} fiches en {:.1} s.",
                search.records,
                started.elapsed().as_secs_f64()
            );
            Ok(Outcome::Success)
        }
        Command::Generate {
            projects,
            seed,
            output,
        } => generate::run(projects, seed, &output),
        Command::User { action } => accounts::user(action),
        Command::Token { action } => accounts::token(action),
        Command::Organisation { action } => accounts::organisation(action),
    }
}

/// Opens the stores named by the flags.
fn open(args: &StoreArgs) -> anyhow::Result<Stores> {
    let base = base_or_local(args.base_iri.as_deref(), None)?;
    Ok(Stores::open(&args.data_dir, base)?)
}

/// Whether stderr is a terminal (progress bars only then).
fn interactive() -> bool {
    use std::io::IsTerminal;
    std::io::stderr().is_terminal()
}

//! `bibia`: parse the command line, start logging, dispatch, map the outcome
//! to an exit code (0 success, 1 data rejected, 2 usage or I/O error).

use bibia::cli::{Args, Outcome};
use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(args) => args,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("BIBIA_LOG")
                .unwrap_or_else(|_| "info,oxigraph=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match bibia::cli::run(args) {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Rejected) => ExitCode::from(1),
        Err(e) => {
            eprintln!("Erreur : {e:#}");
            ExitCode::from(2)
        }
    }
}

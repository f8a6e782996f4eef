//! `static-page FILE [--bind ADDR]`: serves the bytes of FILE, read once at
//! start, at every path and for every method, as `text/html; charset=utf-8`.
//! Nothing else: no compression, no logging, no cache headers. It is the
//! ceiling `bench/pages.py` compares bibia's cached pages with: the cost of
//! axum, hyper and tokio's multi-threaded runtime answering a page of the
//! same size.

use axum::Router;
use axum::body::Bytes;
use axum::http::header;
use std::process::ExitCode;

const USAGE: &str = "usage: static-page FILE [--bind ADDR]  (default 127.0.0.1:8090)";

#[tokio::main]
async fn main() -> ExitCode {
    let (file, bind) = match parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let page = match std::fs::read(&file) {
        Ok(bytes) => Bytes::from(bytes),
        Err(e) => {
            eprintln!("{file}: {e}");
            return ExitCode::from(2);
        }
    };
    let app = Router::new().fallback(move || {
        let page = page.clone();
        async move { ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page) }
    });
    let listener = match tokio::net::TcpListener::bind(&bind).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("{bind}: {e}");
            return ExitCode::from(2);
        }
    };
    match axum::serve(listener, app).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

/// The file and the address to listen on.
fn parse(mut args: impl Iterator<Item = String>) -> Result<(String, String), String> {
    let mut file = None;
    let mut bind = String::from("127.0.0.1:8090");
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--bind" => bind = args.next().ok_or("--bind needs an address")?,
            "-h" | "--help" => return Err(String::from("static-page: one file at every path")),
            _ if arg.starts_with('-') => return Err(format!("unknown option {arg}")),
            _ if file.is_none() => file = Some(arg),
            _ => return Err(format!("one file only, not also {arg}")),
        }
    }
    Ok((file.ok_or("no file given")?, bind))
}

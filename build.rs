//! Embeds the ontology, vocabularies, shapes, reference and demo data in the
//! binary, so that `bibia serve` works from the executable alone.

use std::fmt::Write as _;
use std::path::Path;
use std::{env, fs};

const GROUPS: &[(&str, &str)] = &[
    ("ONTOLOGY", "ontology"),
    ("VOCABULARIES", "ontology/vocabularies"),
    ("SHAPES", "shapes"),
    ("REFERENCE", "data/reference"),
    ("DEMO", "data/demo"),
];

fn main() {
    let root = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let mut out = String::new();
    for (name, dir) in GROUPS {
        let path = Path::new(&root).join(dir);
        println!("cargo::rerun-if-changed={}", path.display());
        let mut files: Vec<_> = fs::read_dir(&path)
            .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        files.retain(|p| {
            let n = p.to_string_lossy();
            p.is_file() && (n.ends_with(".ttl") || n.ends_with(".ttl.gz"))
        });
        files.sort();
        writeln!(
            out,
            "/// Files of `{dir}`.\npub const {name}: &[(&str, &[u8])] = &["
        )
        .expect("write to string");
        for f in files {
            println!("cargo::rerun-if-changed={}", f.display());
            let rel = f
                .strip_prefix(&root)
                .expect("below root")
                .display()
                .to_string();
            writeln!(
                out,
                "    ({rel:?}, include_bytes!({:?})),",
                f.display().to_string()
            )
            .expect("write to string");
        }
        out.push_str("];\n");
    }
    let dest = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("bundle.rs");
    fs::write(dest, out).expect("write bundle.rs");
}

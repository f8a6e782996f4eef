//! The SHACL shapes compiler (`Shapes::compile`): on arbitrary Turtle
//! (first byte even; the sh:, rdf:, rdfs:, xsd: and ex: prefixes are
//! declared) or on a small graph of sh: terms read three bytes a triple
//! (first byte odd, `fuzzing::shapes_graph`). Compiled shapes or an
//! error, never a panic or a hang.
#![no_main]

use bibia::fuzzing::{TURTLE_PREFIXES, shapes_graph};
use bibia::shacl::Shapes;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let compiled = if mode % 2 == 0 {
        let Ok(text) = std::str::from_utf8(rest) else {
            return;
        };
        Shapes::from_turtle(&format!("{TURTLE_PREFIXES}{text}"), None)
    } else {
        Shapes::compile(&shapes_graph(rest))
    };
    if let Err(e) = compiled {
        assert!(!e.to_string().is_empty());
    }
});

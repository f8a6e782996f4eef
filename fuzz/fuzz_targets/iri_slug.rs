//! Slugs, folding, base IRIs and the record ↔ page ↔ base mapping
//! (`iri::slug`, `fold`, `BaseIri::parse`, `record_of`, `page_path`,
//! `minted_base`) on arbitrary text, with the properties of the unit tests.
#![no_main]

use bibia::iri::{BaseIri, KINDS, fold, minted_base, slug};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);

    let s = slug(&text);
    assert!(!s.is_empty() && s.len() <= 80, "{text:?} → {s:?}");
    assert!(
        s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
        "{text:?} → {s:?}"
    );
    assert!(
        !s.starts_with('-') && !s.ends_with('-') && !s.contains("--"),
        "{s:?}"
    );
    assert_eq!(slug(&s), s, "{text:?}");
    let f = fold(&text);
    assert_eq!(fold(&f), f, "{text:?}");

    if let Some(b) = minted_base(&text) {
        assert!(text.starts_with(b) && b.ends_with('/'), "{text:?} → {b:?}");
    }

    // The text as a base IRI, up to the first tab; what follows names a
    // record's fragment.
    let (raw_base, fragment) = text.split_once('\t').unwrap_or((&text, ""));
    let Ok(base) = BaseIri::parse(raw_base) else {
        return;
    };
    let b = base.as_str();
    assert!(b.ends_with('/') && !b.contains(['?', '#']), "{raw_base:?}");
    assert_eq!(BaseIri::parse(b).ok().as_ref(), Some(&base), "{raw_base:?}");
    let root = base.root();
    assert!(
        root.starts_with('/') && b.ends_with(root),
        "{raw_base:?}: {root}"
    );
    if b.starts_with("https://w3id.org/bibia/def/") {
        // Under the ontology's namespace: every IRI is the ontology's.
        return;
    }
    let kind = KINDS[usize::from(first) % KINDS.len()];
    let record = base.join(&format!("id/{kind}/{s}"));
    assert_eq!(base.record_of(record.as_ref()).as_ref(), Some(&record));
    assert_eq!(minted_base(record.as_str()), Some(b), "{record}");
    let thing = base.join(&format!("id/{kind}/{s}#{fragment}"));
    assert_eq!(
        base.record_of(thing.as_ref()).as_ref(),
        Some(&record),
        "{thing}"
    );
    assert_eq!(minted_base(thing.as_str()), Some(b), "{thing}");
    assert_eq!(
        base.page_path(thing.as_str()),
        Some(format!("{root}page/{kind}/{s}#{fragment}")),
        "{thing}"
    );
});

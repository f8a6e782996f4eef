//! String-based constraint components: `sh:minLength`, `sh:maxLength`,
//! `sh:pattern`, `sh:languageIn`, `sh:uniqueLang`.

use oxrdf::Term;
use regex::Regex;

use super::data::TermId;
use super::validate::{At, Ctx, Flow, Sink};
use crate::vocab::sh;

/// SPARQL `str()` of a term; `None` for blank nodes.
pub(crate) fn str_of(term: &Term) -> Option<&str> {
    match term {
        Term::NamedNode(n) => Some(n.as_str()),
        Term::Literal(l) => Some(l.value()),
        _ => None,
    }
}

/// `sh:minLength`.
pub(crate) fn min_length(
    ctx: &Ctx<'_>,
    at: At,
    min: usize,
    values: &[TermId],
    sink: &mut Sink<'_>,
) -> Flow {
    for &v in values {
        if str_of(ctx.term(v)).is_none_or(|s| s.chars().count() < min) {
            sink.report(at, sh::MIN_LENGTH_CONSTRAINT_COMPONENT, Some(v))?;
        }
    }
    Flow::Continue(())
}

/// `sh:maxLength`.
pub(crate) fn max_length(
    ctx: &Ctx<'_>,
    at: At,
    max: usize,
    values: &[TermId],
    sink: &mut Sink<'_>,
) -> Flow {
    for &v in values {
        if str_of(ctx.term(v)).is_none_or(|s| s.chars().count() > max) {
            sink.report(at, sh::MAX_LENGTH_CONSTRAINT_COMPONENT, Some(v))?;
        }
    }
    Flow::Continue(())
}

/// `sh:pattern` (with `sh:flags` compiled in).
pub(crate) fn pattern(
    ctx: &Ctx<'_>,
    at: At,
    re: &Regex,
    values: &[TermId],
    sink: &mut Sink<'_>,
) -> Flow {
    for &v in values {
        if str_of(ctx.term(v)).is_none_or(|s| !re.is_match(s)) {
            sink.report(at, sh::PATTERN_CONSTRAINT_COMPONENT, Some(v))?;
        }
    }
    Flow::Continue(())
}

/// SPARQL `langMatches` (basic filtering, case-insensitive).
pub(crate) fn lang_matches(tag: &str, range: &str) -> bool {
    if range == "*" {
        return !tag.is_empty();
    }
    tag.get(..range.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(range))
        && (tag.len() == range.len() || tag.as_bytes().get(range.len()) == Some(&b'-'))
}

/// `sh:languageIn`.
pub(crate) fn language_in(
    ctx: &Ctx<'_>,
    at: At,
    ranges: &[String],
    values: &[TermId],
    sink: &mut Sink<'_>,
) -> Flow {
    for &v in values {
        let ok = ctx
            .literal(v)
            .and_then(|l| l.language())
            .is_some_and(|tag| ranges.iter().any(|r| lang_matches(tag, r)));
        if !ok {
            sink.report(at, sh::LANGUAGE_IN_CONSTRAINT_COMPONENT, Some(v))?;
        }
    }
    Flow::Continue(())
}

/// `sh:uniqueLang true`: one result per language tag used more than once.
pub(crate) fn unique_lang(ctx: &Ctx<'_>, at: At, values: &[TermId], sink: &mut Sink<'_>) -> Flow {
    let mut tags: Vec<&str> = values
        .iter()
        .filter_map(|&v| ctx.literal(v).and_then(|l| l.language()))
        .collect();
    tags.sort_unstable();
    let mut i = 0;
    while i < tags.len() {
        let mut j = i + 1;
        while j < tags.len() && tags[j] == tags[i] {
            j += 1;
        }
        if j - i > 1 {
            sink.report(at, sh::UNIQUE_LANG_CONSTRAINT_COMPONENT, None)?;
        }
        i = j;
    }
    Flow::Continue(())
}

#[cfg(test)]
mod tests {
    use super::lang_matches;

    #[test]
    fn language_ranges() {
        assert!(lang_matches("fr", "fr"));
        assert!(lang_matches("fr-BE", "FR"));
        assert!(!lang_matches("fra", "fr"));
        assert!(lang_matches("en", "*"));
    }
}

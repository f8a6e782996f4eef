//! `/sitemap.xml` (sitemaps.org 0.9): every page of the service with its
//! last modification, as absolute URLs under the base IRI: the home page,
//! the four lists, the query page, the statistics, the downloads, the
//! ontology and the concept schemes' documentation, and the page of every
//! record and concept of the projection (`/page/{kind}/{slug}`). Past [`MAX_URLS`]
//! (or the limit given), `/sitemap.xml` becomes a sitemap index of
//! `/sitemap-1.xml`, `/sitemap-2.xml`… of at most that many URLs each.
//!
//! `<lastmod>` is the thing's `dcterms:modified` (or its record's) when it
//! has one, else the time of the data version.

use crate::browse::Kind;
use crate::iri::BaseIri;
use crate::store::{PublicStore, StoreError};
use std::fmt::Write as _;

/// The most URLs one sitemap file may list (the protocol's limit).
pub const MAX_URLS: usize = 50_000;

/// The order of the record pages: what people look for first.
const ORDER: [&str; 7] = [
    "projet",
    "organisation",
    "solution",
    "ressource",
    "jeu",
    "concept",
    "territoire",
];

/// The pages of the service for one version of the data.
#[derive(Debug)]
pub struct Sitemap {
    /// (absolute URL, W3C Datetime), in the order listed.
    urls: Vec<(String, String)>,
    /// URLs per file.
    limit: usize,
    base: String,
}

impl Sitemap {
    /// Reads every page of the projection; `limit` URLs per file (at most
    /// [`MAX_URLS`], at least 1).
    pub fn build(store: &PublicStore, base: &BaseIri, limit: usize) -> Result<Self, StoreError> {
        let now = crate::time::xsd_date_time(store.version().modified);
        let mut urls: Vec<(String, String)> = Vec::new();
        urls.push((base.as_str().to_owned(), now.clone()));
        for kind in Kind::ALL {
            urls.push((format!("{}{}", base.as_str(), kind.path()), now.clone()));
        }
        for page in ["sparql", "statistiques", "carte", "dumps/", "def", "vocab"] {
            urls.push((format!("{}{page}", base.as_str()), now.clone()));
        }
        let things = store.things(base)?;
        let modified: std::collections::HashMap<&str, &str> = things
            .iter()
            .filter_map(|(t, m)| m.as_deref().map(|m| (t.as_str(), m)))
            .collect();
        let mut pages: Vec<(usize, String, String)> = Vec::new();
        for (thing, own) in &things {
            let Some(rest) = base
                .relative(thing.as_str())
                .and_then(|r| r.strip_prefix("id/"))
            else {
                continue;
            };
            let kind = rest.split('/').next().unwrap_or_default();
            let rank = ORDER.iter().position(|k| *k == kind).unwrap_or(ORDER.len());
            let record = base.record_of(thing.as_ref());
            let lastmod = own
                .as_deref()
                .or_else(|| record.and_then(|r| modified.get(r.as_str()).copied()))
                .and_then(w3c_datetime)
                .unwrap_or_else(|| now.clone());
            // A concept scheme (`concept/theme`) has its documentation too.
            if let Some(scheme) = rest.strip_prefix("concept/").filter(|s| !s.contains('/')) {
                pages.push((
                    rank,
                    format!("{}vocab/{scheme}", base.as_str()),
                    now.clone(),
                ));
            }
            pages.push((rank, format!("{}page/{rest}", base.as_str()), lastmod));
        }
        pages.sort();
        urls.extend(pages.into_iter().map(|(_, url, lastmod)| (url, lastmod)));
        Ok(Self {
            urls,
            limit: limit.clamp(1, MAX_URLS),
            base: base.as_str().to_owned(),
        })
    }

    /// How many pages it lists.
    pub fn len(&self) -> usize {
        self.urls.len()
    }

    /// Whether it lists no page (never: the home page is always there).
    pub fn is_empty(&self) -> bool {
        self.urls.is_empty()
    }

    /// How many files the URLs take: 1 when `/sitemap.xml` lists them all.
    pub fn parts(&self) -> usize {
        self.urls.len().div_ceil(self.limit).max(1)
    }

    /// `/sitemap.xml`: the `<urlset>` of every page, or, when they take
    /// several files, the `<sitemapindex>` of `/sitemap-{n}.xml`.
    pub fn root(&self) -> String {
        if self.parts() == 1 {
            return urlset(&self.urls);
        }
        let mut xml = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
        );
        for (n, chunk) in self.urls.chunks(self.limit).enumerate() {
            let lastmod = chunk.iter().map(|(_, m)| m.as_str()).max().unwrap_or("");
            let _ = write!(
                xml,
                "  <sitemap>\n    <loc>{}</loc>\n    <lastmod>{}</lastmod>\n  </sitemap>\n",
                escape(&format!("{}sitemap-{}.xml", self.base, n + 1)),
                escape(lastmod)
            );
        }
        xml.push_str("</sitemapindex>\n");
        xml
    }

    /// `/sitemap-{n}.xml` (`n` from 1): the `<urlset>` of one file of the
    /// index; `None` when there is no such file (nor any index).
    pub fn part(&self, n: usize) -> Option<String> {
        if self.parts() == 1 || n == 0 {
            return None;
        }
        self.urls.chunks(self.limit).nth(n - 1).map(urlset)
    }
}

fn urlset(urls: &[(String, String)]) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (url, lastmod) in urls {
        let _ = write!(
            xml,
            "  <url>\n    <loc>{}</loc>\n    <lastmod>{}</lastmod>\n  </url>\n",
            escape(url),
            escape(lastmod)
        );
    }
    xml.push_str("</urlset>\n");
    xml
}

/// `robots.txt`: everything allowed, and where the sitemap is.
pub fn robots(base: &BaseIri) -> String {
    format!(
        "User-agent: *\nAllow: /\n\nSitemap: {}sitemap.xml\n",
        base.as_str()
    )
}

/// A `dcterms:modified` value as a W3C Datetime: a date, a year-month or
/// a year as they are, a date-time with its time zone, or its date when it
/// has none (the format wants one); `None` for anything else.
fn w3c_datetime(value: &str) -> Option<String> {
    let value = value.trim();
    let (date, time) = value.split_once('T').unwrap_or((value, ""));
    let parts: Vec<&str> = date.split('-').collect();
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let date_ok = match parts.as_slice() {
        [y] => digits(y, 4),
        [y, m] => digits(y, 4) && digits(m, 2),
        [y, m, d] => digits(y, 4) && digits(m, 2) && digits(d, 2),
        _ => false,
    };
    if !date_ok {
        return None;
    }
    let zoned = time.ends_with('Z')
        || time
            .len()
            .checked_sub(6)
            .and_then(|at| time.get(at..))
            .is_some_and(|zone| zone.starts_with(['+', '-']));
    Some(if !time.is_empty() && zoned && parts.len() == 3 {
        value.to_owned()
    } else {
        date.to_owned()
    })
}

/// Escapes the five XML special characters.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lastmod_values_are_w3c_datetimes() {
        assert_eq!(w3c_datetime("2026-09-14").as_deref(), Some("2026-09-14"));
        assert_eq!(
            w3c_datetime("2026-09-14T10:00:00Z").as_deref(),
            Some("2026-09-14T10:00:00Z")
        );
        assert_eq!(
            w3c_datetime("2026-09-14T10:00:00+02:00").as_deref(),
            Some("2026-09-14T10:00:00+02:00")
        );
        assert_eq!(
            w3c_datetime("2026-09-14T10:00:00").as_deref(),
            Some("2026-09-14")
        );
        assert_eq!(w3c_datetime("2026-09").as_deref(), Some("2026-09"));
        assert_eq!(w3c_datetime("hier"), None);
        assert_eq!(escape("a&b<'\">"), "a&amp;b&lt;&apos;&quot;&gt;");
    }
}

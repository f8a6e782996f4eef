//! The page of the downloads (`/dumps/`): the dumps of the whole public
//! data with their size and SHA-256, and the other ways to take the data
//! (the network's CSV, the DCAT catalogue, the VoID description, SPARQL).

use super::Site;
use crate::export::DumpSet;
use askama::Template;

/// The downloads page.
#[derive(Debug, Template)]
#[template(path = "downloads.html", config = "src/html/askama.toml")]
pub struct DownloadsPage {
    /// The site.
    pub site: Site,
    /// The dumps: (file name, what it holds, size in French, SHA-256).
    pub files: Vec<(String, String, String, String)>,
    /// When the data they hold last changed, in French.
    pub modified: String,
}

/// The downloads page of the current set of dumps.
pub fn downloads_page(site: &Site, set: &DumpSet) -> DownloadsPage {
    DownloadsPage {
        site: site.clone(),
        files: set
            .files
            .iter()
            .map(|f| {
                let title = f.kind().map_or("", |k| k.title);
                (
                    f.name.clone(),
                    title.to_owned(),
                    size(f.size),
                    f.sha256.clone(),
                )
            })
            .collect(),
        modified: when(set.modified()),
    }
}

/// A time in French, to the minute (`29 novembre 2026 à 22:57 UTC`).
fn when(time: std::time::SystemTime) -> String {
    let xsd = crate::time::xsd_date_time(time);
    let day = oxrdf::Literal::new_typed_literal(&xsd[..10], oxrdf::vocab::xsd::DATE);
    format!("{} à {} UTC", super::format::literal(&day), &xsd[11..16])
}

/// A size in bytes as people read it (`12,4 Mo`).
fn size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["octets", "ko", "Mo", "Go"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} octets")
    } else {
        format!("{value:.1} {}", UNITS[unit]).replace('.', ",")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sizes_read_in_french() {
        assert_eq!(super::size(512), "512 octets");
        assert_eq!(super::size(12_400_000), "12,4 Mo");
    }
}

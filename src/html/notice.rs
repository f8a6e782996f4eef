//! The pages of a missing thing: 404 with the records whose slug is
//! closest to the one asked, and 410 for a withdrawn record, with its
//! notice.

use super::Site;
use askama::Template;

/// A 404 or 410 page.
#[derive(Debug, Template)]
#[template(path = "notice.html", config = "src/html/askama.toml")]
pub struct NoticePage {
    /// The site.
    pub site: Site,
    /// The status shown (404 or 410).
    pub status: u16,
    /// The heading.
    pub title: String,
    /// What happened, in a sentence.
    pub message: String,
    /// Pages that may be what was looked for: (label, href).
    pub suggestions: Vec<(String, String)>,
}

/// The 404 page of `path`, suggesting `suggestions`.
pub fn not_found_page(site: &Site, path: &str, suggestions: Vec<(String, String)>) -> NoticePage {
    NoticePage {
        site: site.clone(),
        status: 404,
        title: "Page introuvable".to_owned(),
        message: format!("Aucune fiche ne porte l'adresse {path}."),
        suggestions,
    }
}

/// The 410 page of a withdrawn record.
pub fn gone_page(site: &Site, title: &str, notice: Option<String>) -> NoticePage {
    NoticePage {
        site: site.clone(),
        status: 410,
        title: "Fiche retirée".to_owned(),
        message: notice.unwrap_or_else(|| {
            format!("La fiche « {title} » a été retirée de la bibliothèque ; son adresse ne sera pas réattribuée.")
        }),
        suggestions: Vec::new(),
    }
}

/// How close two slugs are: the share of their words in common, with a
/// bonus for a shared beginning (0 = nothing in common).
pub fn slug_similarity(a: &str, b: &str) -> f64 {
    let wa: Vec<&str> = a.split('-').filter(|w| !w.is_empty()).collect();
    let wb: Vec<&str> = b.split('-').filter(|w| !w.is_empty()).collect();
    if wa.is_empty() || wb.is_empty() {
        return 0.0;
    }
    let close = |x: &str, y: &str| {
        x == y || (x.len() >= 4 && y.len() >= 4 && (x.starts_with(y) || y.starts_with(x)))
    };
    let common = wa.iter().filter(|x| wb.iter().any(|y| close(x, y))).count();
    let prefix = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    common as f64 / wa.len().max(wb.len()) as f64
        + prefix as f64 / (10.0 * a.len().max(b.len()) as f64)
}

#[cfg(test)]
mod tests {
    use super::slug_similarity;

    #[test]
    fn a_typo_in_a_slug_is_close_to_the_real_one() {
        let real = "metropole-de-lyon-chatbot-dechets";
        assert!(slug_similarity("metropole-de-lyon-chatbot-dechet", real) > 0.8);
        assert!(slug_similarity("bordeaux-tournees", real) < 0.2);
    }
}

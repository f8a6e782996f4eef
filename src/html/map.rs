//! The map page (`/carte`): the départements (or the régions) shaded by
//! their number of use cases, each a link to the list filtered on it, the
//! organisations that have coordinates as points, and a table giving the
//! same figures.
//!
//! The outlines are the pre-projected SVG paths of the npm package
//! `@gouvfr/dsfr-chart` (MIT), extracted once by `scripts/extract-map.mjs`
//! into `data/carte/france.json` and embedded here. The package ships no
//! projection code, so the script fits how longitude and latitude land on its
//! outlines, and the asset carries the fit (see [`Frame`] and
//! `data/carte/README.md`): Lambert-93 then an affine map for the mainland
//! and Corsica (which the outlines draw closer to the mainland), an
//! equirectangular projection at the territory's latitude then a scale and a
//! shift for each overseas inset.
//!
//! Every figure is a facet count of the lists' index (the public projection
//! only), so an area holds exactly as many use cases as its list.

use super::Site;
use super::format::percent;
use crate::browse::{Facet, Index, Kind, Sort};
use crate::store::{PublicStore, StoreError};
use crate::vocab::geo;
use askama::Template;
use oxrdf::Term;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// The outlines and their projections, as extracted.
static OUTLINES: LazyLock<Outlines> = LazyLock::new(|| {
    serde_json::from_str(include_str!("../../data/carte/france.json"))
        .expect("data/carte/france.json is valid (checked by a unit test)")
});

/// The drawing: the mainland's frame (the source's 1010 × 1010), then a row
/// of overseas insets below it, each drawn at [`INSET_SCALE`].
const WIDTH: f64 = 1010.0;
const INSET_TOP: f64 = 1030.0;
const INSET_SCALE: f64 = 2.0;
const INSET_GAP: f64 = 40.0;
const HEIGHT: f64 = INSET_TOP + 50.0 * INSET_SCALE + 40.0;

/// The asset `data/carte/france.json`.
#[derive(Debug, Deserialize)]
struct Outlines {
    metropole: Metropole,
    outremer: BTreeMap<String, Inset>,
    projection: BTreeMap<String, Frame>,
}

#[derive(Debug, Deserialize)]
struct Metropole {
    departements: BTreeMap<String, String>,
    regions: BTreeMap<String, String>,
}

/// An overseas département (also a région), drawn in an inset.
#[derive(Debug, Deserialize)]
struct Inset {
    /// Its région's INSEE code.
    region: String,
    #[serde(rename = "viewBox")]
    view_box: [f64; 4],
    d: String,
}

/// How longitude and latitude land on one frame of the outlines: a
/// projection to metres, then `x = a·X + b·Y + c`, `y = d·X + e·Y + f`.
/// Fitted by `scripts/extract-map.mjs` on 8 479 towns of the mainland
/// (GeoNames): 98.5 % fall inside their own département's outline, the
/// others 0.02 px off on average; 92 of 93 prefectures inside, the last
/// (Avignon, on the Rhône) 2 px off, in the 1010-unit frame. The insets'
/// towns lie within 0.41 units of their outline (50 units high).
#[derive(Debug, Deserialize)]
struct Frame {
    projection: Projection,
    /// The reference latitude of an equirectangular projection.
    latitude: Option<f64>,
    affine: [f64; 6],
    /// West, south, east, north: the points this frame draws.
    extent: [f64; 4],
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum Projection {
    Lambert93,
    Equirectangular,
}

impl Frame {
    fn holds(&self, long: f64, lat: f64) -> bool {
        let [west, south, east, north] = self.extent;
        (west..=east).contains(&long) && (south..=north).contains(&lat)
    }

    /// Where a point lands in the frame's own units.
    fn project(&self, long: f64, lat: f64) -> (f64, f64) {
        let (x, y) = match self.projection {
            Projection::Lambert93 => lambert93(long, lat),
            Projection::Equirectangular => {
                let k = self.latitude.unwrap_or(0.0).to_radians().cos();
                (EARTH * long.to_radians() * k, EARTH * lat.to_radians())
            }
        };
        let [a, b, c, d, e, f] = self.affine;
        (a * x + b * y + c, d * x + e * y + f)
    }
}

/// GRS80's semi-major axis, in metres.
const EARTH: f64 = 6_378_137.0;

/// Lambert-93 (EPSG:2154): the Lambert conformal conic projection on GRS80
/// with standard parallels 44° N and 49° N, origin 46.5° N 3° E, false
/// easting 700 km, false northing 6 600 km; in metres.
fn lambert93(long: f64, lat: f64) -> (f64, f64) {
    let e: f64 = 0.081_819_191_042_815_8;
    let m = |p: f64| p.cos() / (1.0 - e * e * p.sin().powi(2)).sqrt();
    let t = |p: f64| {
        (std::f64::consts::FRAC_PI_4 - p / 2.0).tan()
            / ((1.0 - e * p.sin()) / (1.0 + e * p.sin())).powf(e / 2.0)
    };
    let (phi1, phi2, phi0, lam0) = (
        44f64.to_radians(),
        49f64.to_radians(),
        46.5f64.to_radians(),
        3f64.to_radians(),
    );
    let n = (m(phi1).ln() - m(phi2).ln()) / (t(phi1).ln() - t(phi2).ln());
    let big_f = m(phi1) / (n * t(phi1).powf(n));
    let rho = |p: f64| EARTH * big_f * t(p).powf(n);
    let (r, r0) = (rho(lat.to_radians()), rho(phi0));
    let theta = n * (long.to_radians() - lam0);
    (
        700_000.0 + r * theta.sin(),
        6_600_000.0 + r0 - r * theta.cos(),
    )
}

/// Which areas the map shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// The départements (the default).
    Departements,
    /// The régions (`?niveau=regions`).
    Regions,
}

impl Level {
    /// The level a query asks for: `niveau=regions`, or the départements.
    pub fn from_query(query: Option<&str>) -> Self {
        let asks = query.is_some_and(|q| {
            q.split('&')
                .any(|pair| pair == "niveau=regions" || pair == "niveau=r%C3%A9gions")
        });
        if asks {
            Level::Regions
        } else {
            Level::Departements
        }
    }

    /// The facet the areas are counted on.
    fn facet(self) -> Facet {
        match self {
            Level::Departements => Facet::Departement,
            Level::Regions => Facet::Region,
        }
    }

    /// The prefix of the areas' keys (`departement-69`).
    fn prefix(self) -> &'static str {
        match self {
            Level::Departements => "departement-",
            Level::Regions => "region-",
        }
    }
}

/// The map page.
#[derive(Debug, Template)]
#[template(path = "map.html", config = "src/html/askama.toml")]
pub struct MapPage {
    /// The site.
    pub site: Site,
    /// Which areas are drawn.
    pub level: Level,
    /// How many use cases there are.
    pub total: usize,
    /// The areas of the mainland and Corsica.
    pub areas: Vec<Area>,
    /// The overseas insets.
    pub insets: Vec<InsetView>,
    /// The organisations with coordinates.
    pub points: Vec<Point>,
    /// The classes of shading.
    pub legend: Vec<Class>,
    /// The figures, by code: the mainland's areas then the overseas ones.
    pub rows: Vec<Area>,
    /// How many use cases have no area of this level.
    pub without: usize,
    /// The drawing's size.
    pub width: f64,
    /// The drawing's height.
    pub height: f64,
    /// Whether any use case is fictitious.
    pub fictitious: bool,
}

/// One area: a département or a région.
#[derive(Debug, Clone)]
pub struct Area {
    /// Its INSEE code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// How many use cases are there.
    pub count: usize,
    /// The list of those use cases.
    pub href: String,
    /// Its outline (SVG path data, in its frame's units).
    pub d: String,
    /// Its class of shading (`c0`…`c4`).
    pub class: &'static str,
}

/// An overseas inset: its area and where it is drawn.
#[derive(Debug)]
pub struct InsetView {
    /// The area.
    pub area: Area,
    /// The SVG transform placing the inset.
    pub transform: String,
    /// Where its name is written (centre, baseline).
    pub label_x: f64,
    /// Baseline of its name.
    pub label_y: f64,
}

/// An organisation drawn as a point.
#[derive(Debug)]
pub struct Point {
    /// Its name.
    pub name: String,
    /// Its page.
    pub href: String,
    /// Where it is drawn.
    pub x: String,
    /// Where it is drawn.
    pub y: String,
}

/// A class of shading: its CSS class and the counts it covers.
#[derive(Debug)]
pub struct Class {
    /// `c0`…`c4`.
    pub class: &'static str,
    /// The counts, in words ("1", "2 à 3", "aucun").
    pub label: String,
}

const CLASSES: [&str; 5] = ["c0", "c1", "c2", "c3", "c4"];

/// Builds the page from the index, reading the organisations' coordinates
/// and the areas' names from the projection.
pub fn map_page(
    index: &Index,
    store: &PublicStore,
    site: &Site,
    level: Level,
) -> Result<MapPage, StoreError> {
    let outlines = &*OUTLINES;
    let projects = index.entries(Kind::Projet);
    let facet = level.facet();
    let selection = index.select(Kind::Projet, &Default::default(), Sort::Recent);
    let counts: BTreeMap<String, usize> = selection
        .counts
        .iter()
        .find(|(f, _)| *f == facet)
        .map(|(_, values)| values.iter().map(|(v, n)| (v.key.clone(), *n)).collect())
        .unwrap_or_default();
    let max = counts.values().copied().max().unwrap_or(0);
    let breaks = breaks(max);
    let area = |code: &str, d: &str| -> Result<Area, StoreError> {
        let key = format!("{}{code}", level.prefix());
        let iri = site.base.join(&format!("id/territoire/{key}"));
        let name = store
            .label(iri.as_ref())?
            .unwrap_or_else(|| code.to_owned());
        let count = counts.get(&key).copied().unwrap_or(0);
        Ok(Area {
            code: code.to_owned(),
            name,
            count,
            href: format!(
                "{}?{}={}",
                site.path(Kind::Projet.path()),
                facet.param(),
                percent(&key)
            ),
            d: d.to_owned(),
            class: class_of(count, &breaks),
        })
    };
    let mainland = match level {
        Level::Departements => &outlines.metropole.departements,
        Level::Regions => &outlines.metropole.regions,
    };
    let areas = mainland
        .iter()
        .map(|(code, d)| area(code, d))
        .collect::<Result<Vec<_>, _>>()?;
    let mut insets = Vec::new();
    let widths: f64 = outlines.outremer.values().map(|i| i.view_box[2]).sum();
    let count = outlines.outremer.len() as f64;
    let mut x = (WIDTH - widths * INSET_SCALE - INSET_GAP * (count - 1.0)) / 2.0;
    let mut placed = BTreeMap::new();
    for (code, inset) in &outlines.outremer {
        let own = match level {
            Level::Departements => code,
            Level::Regions => &inset.region,
        };
        let [min_x, min_y, w, _] = inset.view_box;
        let transform = format!(
            "translate({} {}) scale({INSET_SCALE})",
            fmt(x - min_x * INSET_SCALE),
            fmt(INSET_TOP - min_y * INSET_SCALE)
        );
        placed.insert(
            code.as_str(),
            (x - min_x * INSET_SCALE, INSET_TOP - min_y * INSET_SCALE),
        );
        insets.push(InsetView {
            area: area(own, &inset.d)?,
            transform,
            label_x: x + w * INSET_SCALE / 2.0,
            label_y: INSET_TOP + 50.0 * INSET_SCALE + 30.0,
        });
        x += w * INSET_SCALE + INSET_GAP;
    }
    let points = points(index, store, site, &placed)?;
    let mut rows: Vec<Area> = areas.clone();
    rows.extend(insets.iter().map(|i| i.area.clone()));
    let without = projects
        .iter()
        .filter(|e| e.facets.get(&facet).is_none_or(Vec::is_empty))
        .count();
    Ok(MapPage {
        site: site.clone(),
        level,
        total: projects.len(),
        areas,
        insets,
        points,
        legend: legend(&breaks),
        rows,
        without,
        width: WIDTH,
        height: HEIGHT,
        fictitious: projects.iter().any(|e| e.fictitious),
    })
}

/// The organisations with coordinates, placed in the first frame that holds
/// them (an inset, Corsica, then the mainland); those outside every frame
/// are left out of the drawing.
fn points(
    index: &Index,
    store: &PublicStore,
    site: &Site,
    placed: &BTreeMap<&str, (f64, f64)>,
) -> Result<Vec<Point>, StoreError> {
    let outlines = &*OUTLINES;
    let number = |iri: &oxrdf::NamedNode, p| -> Result<Option<f64>, StoreError> {
        Ok(store
            .objects(iri.as_ref(), p)?
            .into_iter()
            .find_map(|t| match t {
                Term::Literal(l) => l.value().trim().parse().ok(),
                _ => None,
            }))
    };
    let mut out = Vec::new();
    for entry in index.entries(Kind::Organisation) {
        let (Some(lat), Some(long)) = (
            number(&entry.iri, geo::LAT)?,
            number(&entry.iri, geo::LONG)?,
        ) else {
            continue;
        };
        let frames = placed.keys().copied().chain(["corse", "metropole"]);
        for name in frames {
            let Some(frame) = outlines.projection.get(name) else {
                continue;
            };
            if !frame.holds(long, lat) {
                continue;
            }
            let (x, y) = frame.project(long, lat);
            let (x, y) = match placed.get(name) {
                Some((dx, dy)) => (dx + x * INSET_SCALE, dy + y * INSET_SCALE),
                None => (x, y),
            };
            out.push(Point {
                name: entry.title.clone(),
                href: site.href(entry.iri.as_str()),
                x: fmt(x),
                y: fmt(y),
            });
            break;
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// The upper bounds of the classes `c1`…`c4`: each count its own class up
/// to 4, then four ranges of equal width.
fn breaks(max: usize) -> Vec<usize> {
    if max <= 4 {
        (1..=max).collect()
    } else {
        (1..=4).map(|i| (max * i).div_ceil(4)).collect()
    }
}

fn class_of(count: usize, breaks: &[usize]) -> &'static str {
    if count == 0 {
        return CLASSES[0];
    }
    let i = breaks
        .iter()
        .position(|b| count <= *b)
        .unwrap_or(breaks.len() - 1);
    CLASSES[i + 1]
}

fn legend(breaks: &[usize]) -> Vec<Class> {
    let mut out = vec![Class {
        class: CLASSES[0],
        label: "aucun projet".to_owned(),
    }];
    let mut low = 1;
    for (i, high) in breaks.iter().enumerate() {
        let label = if low == *high {
            format!("{low} projet{}", if low == 1 { "" } else { "s" })
        } else {
            format!("{low} à {high} projets")
        };
        out.push(Class {
            class: CLASSES[i + 1],
            label,
        });
        low = high + 1;
    }
    out
}

/// A coordinate with one decimal.
fn fmt(v: f64) -> String {
    format!("{v:.1}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_asset_has_every_area() {
        let o = &*OUTLINES;
        assert_eq!(o.metropole.departements.len(), 96);
        assert_eq!(o.metropole.regions.len(), 13);
        assert_eq!(o.outremer.len(), 5);
        for frame in ["metropole", "corse", "971", "972", "973", "974", "976"] {
            assert!(o.projection.contains_key(frame), "{frame}");
        }
    }

    #[test]
    fn lambert93_matches_its_definition() {
        // The origin lands on the false easting and northing.
        let (x, y) = lambert93(3.0, 46.5);
        assert!((x - 700_000.0).abs() < 0.01 && (y - 6_600_000.0).abs() < 0.01);
        // On a standard parallel the scale is exact: a thousandth of a
        // degree east is the ellipsoid's arc along the parallel.
        let e2: f64 = 0.006_694_380_022_9;
        for lat in [44.0f64, 49.0] {
            let (x0, y0) = lambert93(3.0, lat);
            let (x1, y1) = lambert93(3.001, lat);
            let phi = lat.to_radians();
            let arc =
                EARTH * phi.cos() / (1.0 - e2 * phi.sin().powi(2)).sqrt() * 0.001f64.to_radians();
            assert!(((x1 - x0).hypot(y1 - y0) - arc).abs() < 0.001, "{lat}");
        }
    }

    #[test]
    fn prefectures_land_in_their_departement() {
        // Lyon in the Rhône's outline, Ajaccio in Corse-du-Sud's.
        let o = &*OUTLINES;
        let (x, y) = o.projection["metropole"].project(4.8357, 45.764);
        assert!(
            (640.0..700.0).contains(&x) && (500.0..580.0).contains(&y),
            "{x} {y}"
        );
        let (x, y) = o.projection["corse"].project(8.7369, 41.9192);
        assert!(
            (930.0..1010.0).contains(&x) && (907.0..1010.0).contains(&y),
            "{x} {y}"
        );
    }

    #[test]
    fn classes_cover_every_count() {
        assert_eq!(breaks(3), vec![1, 2, 3]);
        assert_eq!(breaks(10), vec![3, 5, 8, 10]);
        assert_eq!(class_of(0, &breaks(10)), "c0");
        assert_eq!(class_of(1, &breaks(10)), "c1");
        assert_eq!(class_of(10, &breaks(10)), "c4");
        assert_eq!(legend(&breaks(10)).len(), 5);
    }
}

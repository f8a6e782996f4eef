// The browser test of bibia's HTML pages (issue 14, "How it is judged"):
// opens each page of PAGES in Debian's Chromium, headless, and checks that
// it answers 200 with <html lang="fr"> and a title, logs no console error,
// loads every subresource, has no serious or critical axe-core violation
// (WCAG 2.1 A and AA) and gives the focus to a visible element on the first
// Tab. Prints a French report and exits 1 when a page fails, 2 on a usage
// or launch error.
//
// Usage: node pages.mjs http://127.0.0.1:PORT/ [--pages /a,/b?x=y]

import { chromium } from 'playwright-core';
import { accessibility } from './axe.mjs';

// The pages that are judged, relative to the server root; `--pages`
// replaces this list.
const PAGES = [
  '/',
  '/sparql',
  '/projets?theme=transition-ecologique-et-energetique&statut=en-deploiement',
  '/page/projet/metropole-de-lyon-chatbot-dechets',
  '/page/organisation/metropole-de-lyon',
  '/page/territoire/region-84',
  '/page/concept/theme/transition-ecologique-et-energetique',
  '/def',
  '/vocab/sous-theme',
  '/statistiques',
  '/carte',
  '/carte?niveau=regions',
  '/dumps/',
  '/recherche?q=d%C3%A9p%C3%B4ts%20sauvages',
  '/projets?q=d%C3%A9chets&theme=transition-ecologique-et-energetique',
];

const CHROMIUM = process.env.BIBIA_CHROMIUM || '/usr/bin/chromium';

function usage(message) {
  console.error(`Erreur : ${message}`);
  console.error('Usage : node pages.mjs http://127.0.0.1:PORT/ [--pages /a,/b]');
  process.exit(2);
}

function parseArgs(args) {
  let base;
  let pages = PAGES;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--pages') {
      if (i + 1 >= args.length) usage('--pages attend une liste de chemins séparés par des virgules');
      pages = args[++i].split(',').map((p) => p.trim()).filter(Boolean);
    } else if (base === undefined) {
      base = args[i];
    } else {
      usage(`argument inattendu : ${args[i]}`);
    }
  }
  if (base === undefined) usage("l'adresse du serveur manque");
  if (pages.length === 0) usage('--pages ne nomme aucune page');
  try {
    // A trailing slash, so that pages resolve under the base's path.
    return { base: new URL(base.endsWith('/') ? base : `${base}/`), pages };
  } catch {
    usage(`adresse invalide : ${base}`);
  }
}

// Judges one page; returns its report as { failures, notes } (lines).
async function judge(browser, url) {
  const failures = [];
  const notes = [];
  const context = await browser.newContext();
  const page = await context.newPage();
  // URLs already reported with their status, so that the aborted request
  // that follows a 404 is not reported twice.
  const refused = new Set();
  page.on('console', (msg) => {
    // "Failed to load resource" is a request, reported by the listeners
    // below; the browser's own request of /favicon.ico, which they do not
    // see and which is logged or not depending on timing, is checked by
    // `icon` every time instead.
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) {
      const where = msg.location().url ? ` (${msg.location().url})` : '';
      failures.push(`erreur de console : ${msg.text()}${where}`);
    }
  });
  page.on('pageerror', (error) => failures.push(`exception JavaScript : ${error.message}`));
  page.on('requestfailed', (request) => {
    // The page's own request: `goto` fails and says why.
    const own = request.isNavigationRequest() && request.frame() === page.mainFrame();
    if (!own && !refused.has(request.url())) {
      failures.push(`requête en échec : ${request.url()} (${request.failure()?.errorText})`);
    }
  });
  // The page's own status: Chromium fails the navigation of an error
  // status with an empty body, so it is taken from here, not from `goto`.
  let status;
  page.on('response', (response) => {
    const own = response.request().isNavigationRequest() && response.frame() === page.mainFrame();
    if (own) status = response.status();
    if (response.status() >= 400) {
      refused.add(response.url());
      if (!own) failures.push(`réponse ${response.status()} : ${response.url()}`);
    }
  });
  try {
    await page.goto(url, { waitUntil: 'networkidle', timeout: 30_000 });
  } catch (error) {
    if (status === undefined || status === 200) {
      failures.push(`la page n'a pas pu être chargée : ${error.message.split('\n')[0]}`);
    }
  }
  if (status !== 200) {
    if (status !== undefined) failures.push(`statut HTTP ${status} au lieu de 200`);
    await context.close();
    return { failures, notes };
  }
  try {
    const lang = await page.getAttribute('html', 'lang');
    if (lang !== 'fr') failures.push(`<html lang="fr"> attendu, lang vaut ${lang === null ? 'rien' : `« ${lang} »`}`);
    const title = (await page.title()).trim();
    if (title === '') failures.push('<title> absent ou vide');
    else notes.push(`titre : « ${title} »`);
    await icon(page, url, failures);
    await keyboard(page, failures, notes);
    await accessibility(page, failures, notes);
  } catch (error) {
    failures.push(`la page n'a pas pu être examinée : ${error.message.split('\n')[0]}`);
  } finally {
    await context.close();
  }
  return { failures, notes };
}

// The icon a browser asks for (the page's <link rel="icon">, else
// /favicon.ico) must load: otherwise every visit logs a failed request.
async function icon(page, url, failures) {
  const declared = await page.evaluate(() => document.querySelector('link[rel~="icon"]')?.href ?? null);
  if (declared?.startsWith('data:')) return;
  const href = declared ?? new URL('/favicon.ico', url).href;
  const response = await page.request.get(href);
  if (!response.ok()) {
    failures.push(
      `icône : ${href} répond ${response.status()} (tout navigateur la demande : ` +
        'déclarez <link rel="icon"> ou servez /favicon.ico)',
    );
  }
}

// One Tab from the top of the page must focus a visible element (a skip
// link or the first link).
async function keyboard(page, failures, notes) {
  await page.evaluate(() => {
    document.activeElement?.blur?.();
    window.scrollTo(0, 0);
  });
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body || el === document.documentElement) return null;
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    const visible =
      box.width > 0 &&
      box.height > 0 &&
      box.bottom > 0 &&
      box.right > 0 &&
      box.top < window.innerHeight &&
      box.left < window.innerWidth &&
      style.visibility !== 'hidden' &&
      style.opacity !== '0';
    const text = (el.innerText || el.getAttribute('aria-label') || el.value || '').trim().slice(0, 60);
    return { tag: el.tagName.toLowerCase(), text, visible };
  });
  if (focused === null) {
    failures.push('clavier : Tab depuis le haut de la page ne donne le focus à aucun élément');
  } else {
    const what = `<${focused.tag}>${focused.text ? ` « ${focused.text} »` : ''}`;
    if (focused.visible) notes.push(`clavier : Tab donne le focus à ${what}`);
    else failures.push(`clavier : Tab donne le focus à ${what}, qui n'est pas visible`);
  }
}

const { base, pages } = parseArgs(process.argv.slice(2));
let browser;
try {
  // No `--no-sandbox` in `args`: playwright-core passes it already unless
  // `chromiumSandbox: true`, and that is what lets Chromium start as root,
  // as CI runs ("Running as root without --no-sandbox is not supported").
  // The pages are bibia's own, served on loopback.
  browser = await chromium.launch({ executablePath: CHROMIUM });
} catch (error) {
  console.error(`Erreur : impossible de lancer Chromium (${CHROMIUM}) : ${error.message.split('\n')[0]}`);
  process.exit(2);
}
let failed = 0;
for (const path of pages) {
  const url = new URL(path.replace(/^\//, ''), base).href;
  const { failures, notes } = await judge(browser, url);
  console.log(`\n${failures.length === 0 ? 'ok   ' : 'ÉCHEC'} ${path}  (${url})`);
  for (const line of failures) console.log(`  ✗ ${line}`);
  for (const line of notes) console.log(`  · ${line}`);
  if (failures.length > 0) failed++;
}
await browser.close();
console.log('');
if (failed === 0) {
  console.log(`toutes les pages : ok (${pages.length})`);
} else {
  console.log(`${failed} page(s) en échec sur ${pages.length}`);
  process.exit(1);
}

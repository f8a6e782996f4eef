// The browser test of contributions (issue 17, "How it is judged"), in
// Debian's headless Chromium: a contributor logs in, fills the form of a
// new use case with an error, sees the French message of the shapes beside
// the field, fixes it and submits; a moderator logs in, opens the change
// and accepts it; the use case appears in the list. axe-core runs on every
// page of the way (log-in, space, form, form with its errors, moderation,
// change): no serious or critical violation. Prints a French report; exits
// 1 when a step fails, 2 on a usage or launch error.
//
// Usage: BIBIA_AGENT=login BIBIA_MODERATOR=login BIBIA_PASSWORD=… \
//        node contribute.mjs http://127.0.0.1:PORT/

import { chromium } from 'playwright-core';
import { accessibility } from './axe.mjs';

const CHROMIUM = process.env.BIBIA_CHROMIUM || '/usr/bin/chromium';
const TITLE = 'Arrosage des jardins partagés selon la météo';

const [baseArg] = process.argv.slice(2);
const { BIBIA_AGENT: agent, BIBIA_MODERATOR: moderator, BIBIA_PASSWORD: password } = process.env;
if (!baseArg || !agent || !moderator || !password) {
  console.error('Usage : BIBIA_AGENT=… BIBIA_MODERATOR=… BIBIA_PASSWORD=… node contribute.mjs http://127.0.0.1:PORT/');
  process.exit(2);
}
const base = new URL(baseArg.endsWith('/') ? baseArg : `${baseArg}/`);
const url = (path) => new URL(path.replace(/^\//, ''), base).href;

const failures = [];
const notes = [];

// Checks a step; a failed check stops the run (later steps depend on it).
function expect(condition, message) {
  if (!condition) {
    failures.push(message);
    throw new Error(message);
  }
  notes.push(`ok : ${message}`);
}

// axe-core on the current page, under its name.
async function judged(page, name) {
  const f = [];
  const n = [];
  await accessibility(page, f, n);
  for (const line of f) failures.push(`${name} : ${line}`);
  for (const line of n) notes.push(`${name} : ${line}`);
}

async function login(browser, who) {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('pageerror', (error) => failures.push(`exception JavaScript : ${error.message}`));
  await page.goto(url('/connexion'));
  await judged(page, 'connexion');
  await page.fill('#login', who);
  await page.fill('#password', password);
  await Promise.all([page.waitForURL(/\/espace/), page.click('form.contribute button[type=submit]')]);
  expect((await page.textContent('main')).includes('Connecté en tant que'), `${who} est connecté et voit son espace`);
  await judged(page, 'espace');
  return { context, page };
}

let browser;
try {
  browser = await chromium.launch({ executablePath: CHROMIUM });
} catch (error) {
  console.error(`Erreur : impossible de lancer Chromium (${CHROMIUM}) : ${error.message.split('\n')[0]}`);
  process.exit(2);
}
try {
  // The contributor creates a use case…
  const { context, page } = await login(browser, agent);
  await page.click('a[href$="espace/nouveau/projet"]');
  await page.waitForSelector('form.contribute');
  await judged(page, 'formulaire vide');
  await page.fill('[name=title]', TITLE);
  await page.fill('[name=description]', "Les arrosages des jardins partagés suivent les prévisions de pluie.");
  await page.fill('[name=startDate]', '2025-04-01');
  await page.selectOption('[name=status]', { index: 1 });
  await page.check('[name=audience] >> nth=0');
  // … forgetting its theme. The browser's own check of `required` is
  // switched off, as in a browser without it: the server's must answer.
  await page.$eval('form.contribute', (form) => {
    form.noValidate = true;
  });
  await Promise.all([page.waitForLoadState('load'), page.click('p.actions button[type=submit]')]);
  const theme = page.locator('[name=theme]');
  expect((await theme.getAttribute('aria-invalid')) === 'true', 'le champ du thème est signalé invalide');
  const describedBy = (await theme.getAttribute('aria-describedby')) ?? '';
  const messages = await Promise.all(
    describedBy.split(/\s+/).filter(Boolean).map((id) => page.locator(`[id="${id}"]`).textContent()),
  );
  const message = messages.join(' ').trim();
  expect(/obligatoire/.test(message), `un message en français à côté du champ : « ${message.slice(0, 120)} »`);
  expect((await page.locator('[role=alert]').count()) > 0, "un résumé des erreurs en tête du formulaire");
  expect((await page.inputValue('[name=title]')) === TITLE, 'ce qui a été saisi est conservé');
  await judged(page, 'formulaire avec erreurs');
  // Fixed and submitted: waiting for a moderator.
  await page.selectOption('[name=theme]', { index: 1 });
  await Promise.all([page.waitForURL(/\/espace\?fait=attente/), page.click('p.actions button[type=submit]')]);
  expect((await page.textContent('main')).includes('en attente'), 'la fiche attend la modération');
  expect(!(await (await page.request.get(url(`/projets?q=${encodeURIComponent('jardins partagés')}`))).text()).includes(TITLE),
    "elle n'est pas encore publiée");
  await context.close();

  // The moderator accepts it.
  const mod = await login(browser, moderator);
  await mod.page.goto(url('/moderation'));
  await judged(mod.page, 'modération');
  await mod.page.click(`text=${TITLE}`);
  await mod.page.waitForSelector('table.diff');
  await judged(mod.page, 'modification');
  await Promise.all([mod.page.waitForURL(/\/moderation\?fait=acceptee/), mod.page.click('text=Accepter et publier')]);
  expect((await mod.page.textContent('main')).includes('acceptée'), 'la modification est acceptée');
  // It is in the list.
  await mod.page.goto(url(`/projets?q=${encodeURIComponent('jardins partagés')}`));
  expect((await mod.page.textContent('main')).includes(TITLE), 'la fiche apparaît dans la liste des projets');
  await mod.context.close();
} catch (error) {
  if (!failures.includes(error.message)) failures.push(`étape interrompue : ${error.message.split('\n')[0]}`);
}
await browser.close();
for (const line of notes) console.log(`  · ${line}`);
for (const line of failures) console.log(`  ✗ ${line}`);
if (failures.length === 0) {
  console.log('contributions : ok');
} else {
  console.log(`contributions : ${failures.length} échec(s)`);
  process.exit(1);
}

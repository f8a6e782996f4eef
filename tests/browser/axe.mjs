// axe-core for bibia's browser tests: WCAG 2.1 A and AA rules with French
// messages; serious and critical violations fail the page.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { AxeBuilder } from '@axe-core/playwright';

const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const BLOCKING = new Set(['serious', 'critical']);

// axe-core with its French messages: the help texts of the report are in
// French like the rest of it.
const require = createRequire(import.meta.url);
const AXE_SOURCE =
  readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8') +
  `;axe.configure({ locale: ${readFileSync(require.resolve('axe-core/locales/fr.json'), 'utf8')} });`;

// Runs axe-core on the page: serious and critical violations go to
// `failures`, the others and the count of rules passed to `notes`.
export async function accessibility(page, failures, notes) {
  const results = await new AxeBuilder({ page, axeSource: AXE_SOURCE }).withTags(WCAG).analyze();
  for (const v of results.violations) {
    const target = v.nodes[0]?.target.join(' ') ?? '?';
    const others = v.nodes.length > 1 ? ` (et ${v.nodes.length - 1} autre(s))` : '';
    const line = `axe ${v.id} [${v.impact}] : ${v.help} — ${target}${others}`;
    if (BLOCKING.has(v.impact)) failures.push(line);
    else notes.push(`${line} (non bloquant)`);
  }
  const blocking = results.violations.filter((v) => BLOCKING.has(v.impact)).length;
  if (blocking === 0) notes.push(`axe : aucune violation grave ou critique (${results.passes.length} règles respectées)`);
}

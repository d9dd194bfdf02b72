// The pages' script (crates/web/static/app.js) with the stylesheet, on
// markup shaped as the templates write it, for the cases the demo's data
// never shows: a consultant shared between two missions picking one
// column on a phone, and a draft of several lines put in order with the
// arrows. (The live day count on a real report is phones.test.mjs's.)

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { launchBrowser, shot } from '../lib/server.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const script = readFileSync(path.join(root, 'crates/web/static/app.js'), 'utf8');
const css = readFileSync(path.join(root, 'crates/web/static/app.css'), 'utf8');

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

async function page(body, viewport) {
  const context = await browser.newContext({ viewport, locale: 'fr-FR' });
  const p = await context.newPage();
  await p.setContent(`<!doctype html><html lang="fr"><head><style>${css}</style></head><body>${body}</body></html>`);
  await p.addScriptTag({ content: script });
  return { context, p };
}

const cell = (key, day, value = '') =>
  `<td data-key="${key}"${key.startsWith('mission:') ? '' : ' class="free"'}><select name="c:${key}:${day}">` +
  `<option value=""${value === '' ? ' selected' : ''}>–</option><option value="0,5">½</option>` +
  `<option value="1"${value === '1' ? ' selected' : ''}>1</option></select></td>`;

const A = 'mission:aaaaaaaa-0000-0000-0000-000000000001';
const B = 'mission:bbbbbbbb-0000-0000-0000-000000000002';
const report = `
<div class="grid cra-totals" id="cra-totals"><div class="stat" data-key="${A}"><div class="n">1</div><div class="l">Build</div></div></div>
<form id="cra-form">
  <div class="field cra-pick" id="cra-pick" hidden><label for="cra-mission-pick">Mission affichée</label>
    <select id="cra-mission-pick"><option value="${A}">Build</option><option value="${B}">Run</option></select></div>
  <div class="cra-scroll"><table class="cra-grid">
    <thead><tr><th scope="col">Jour</th><th scope="col" data-key="${A}" class="billable">Build — Acme</th>
      <th scope="col" data-key="${B}" class="billable">Run — Globex</th><th scope="col" data-key="bench" class="free">Intercontrat</th><th scope="col">Total</th></tr></thead>
    <tbody>
      <tr id="d-2026-12-01"><th scope="row">mar. 01/12</th>${cell(A, '2026-12-01', '1')}${cell(B, '2026-12-01')}${cell('bench', '2026-12-01')}<td class="total" data-leave="0">1</td></tr>
      <tr id="d-2026-12-02"><th scope="row">mer. 02/12</th>${cell(A, '2026-12-02')}${cell(B, '2026-12-02')}${cell('bench', '2026-12-02')}<td class="total" data-leave="1">0,5</td></tr>
    </tbody></table></div>
</form>`;

test('a shared consultant picks one mission on a phone; the totals follow', async () => {
  const { context, p } = await page(report, { width: 390, height: 844 });
  // One control per day: the first mission's, preselected.
  assert.equal(await p.locator('#cra-pick').isVisible(), true);
  const visible = () => p.locator('#d-2026-12-02 select:visible');
  assert.equal(await visible().count(), 1);
  assert.equal(await visible().getAttribute('name'), `c:${A}:2026-12-02`);
  await p.locator('#cra-mission-pick').selectOption(B);
  assert.equal(await visible().count(), 1);
  assert.equal(await visible().getAttribute('name'), `c:${B}:2026-12-02`);
  // A half day on Run beside a half day of leave: the day is full, and
  // Run gets its own total tile, named as its column.
  await visible().selectOption('0,5');
  assert.equal(await p.locator('#d-2026-12-02 td.total').innerText(), '1');
  assert.equal(await p.locator(`#cra-totals .stat[data-key="${B}"] .n`).innerText(), '0,5');
  assert.match(await p.locator(`#cra-totals .stat[data-key="${B}"] .l`).innerText(), /Run — Globex/);
  // Too much in a day is flagged at once.
  await p.locator(`select[name="c:${B}:2026-12-01"]`).selectOption('1');
  assert.equal(await p.locator('#d-2026-12-01').getAttribute('class'), 'over');
  const width = await p.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `fits a phone: ${width}px`);
  await shot(p, 'script-cra-picker-phone');
  await context.close();

  // On a desktop every column shows and the picker does not.
  const wide = await page(report, { width: 1280, height: 800 });
  assert.equal(await wide.p.locator('#cra-pick').isVisible(), false);
  assert.equal(await wide.p.locator('#d-2026-12-02 select:visible').count(), 3);
  await wide.context.close();
});

test("a draft's lines are put in order with the arrows", async () => {
  const line = (id, n, text) =>
    `<div class="toolbar order-line"><input type="hidden" name="line" value="${id}">` +
    `<label for="rank-${n}">${text}</label><input id="rank-${n}" name="rank" value="${n}"></div>`;
  const { context, p } = await page(
    `<form><fieldset id="edit-order" data-up="Monter" data-down="Descendre"><legend>Ordre des lignes</legend>` +
      `${line('a', 1, 'Prestation')}${line('b', 2, 'Astreintes')}${line('c', 3, 'Heures supplémentaires')}</fieldset></form>`,
    { width: 1280, height: 800 },
  );
  await p.getByRole('button', { name: 'Descendre — Prestation' }).click();
  await p.getByRole('button', { name: 'Monter — Heures supplémentaires' }).click();
  // The first line cannot go higher: nothing moves.
  await p.locator('.order-line').first().getByRole('button', { name: /Monter/ }).click();
  const order = await p.$$eval('.order-line', (ls) =>
    ls.map((l) => `${l.querySelector('input[name=line]').value}=${l.querySelector('input[name=rank]').value}`),
  );
  assert.deepEqual(order, ['b=1', 'c=2', 'a=3']);
  await context.close();
});

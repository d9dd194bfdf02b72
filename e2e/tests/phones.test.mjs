// Every page a consultant or a client contact reaches, on a 390 × 844
// phone: nothing wider than the screen (no sideways scrolling), with a
// screenshot of each. The consultant's report shows one control per day
// when he has one mission, no control on weekends, and the day count in
// sight. (The signer's page on a phone, with the document's text, is
// esign.test.mjs's.)

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startSink } from '../lib/mail.mjs';
import { clickAndWait, diagnose, launchBrowser, login, newPage, role, shot, startServer } from '../lib/server.mjs';

let sink;
let server;
let browser;

before(async () => {
  sink = await startSink();
  server = await startServer({ env: { REGISSEUR_SMTP_URL: sink.url } });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await sink?.stop();
});

const PHONE = { locale: 'fr-FR', timezoneId: 'Europe/Paris', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

/** Opens `path` (or the current page when null), checks it fits 390 px and saves its screenshot. */
async function fits(page, path, name) {
  if (path) {
    const res = await page.goto(path.startsWith('http') ? path : `${server.url}${path}`);
    assert.equal(res.status(), 200, `${path} answers`);
  }
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  await shot(page, `phone-${name}`);
  assert.ok(width <= 390, `${name} (${page.url()}) fits a phone: ${width}px wide`);
}

/** The href of the first link of `main` matching `selector`, absolute. */
async function firstLink(page, selector) {
  const href = await page.locator(`main ${selector}`).first().getAttribute('href');
  assert.ok(href, `a link ${selector}`);
  return href;
}

test('a consultant and a client contact use every page of theirs on a phone', { timeout: 300_000 }, async () => {
  const camille = role('consultant').email;
  const consultant = await browser.newContext(PHONE);
  const page = await consultant.newPage();
  await diagnose(page, server, 'phone-consultant', async () => {
    await login(page, server.url, camille);
    await fits(page, null, 'consultant-home');
    await fits(page, '/cras', 'consultant-cra-list');
    const cra = await firstLink(page, 'a[href^="/cras/"]');
    await fits(page, cra, 'consultant-cra-month');
    // The day count stays in sight; one control per working day.
    assert.equal(
      await page.locator('#cra-totals').evaluate((e) => getComputedStyle(e).position),
      'sticky',
    );
    const rows = page.locator('table.cra-grid tbody tr');
    const count = await rows.count();
    for (let i = 0; i < count; i += 1) {
      const row = rows.nth(i);
      const visible = await row.locator('select:visible').count();
      const off = (await row.getAttribute('class'))?.includes('off');
      if (off) assert.equal(visible, 0, 'no control on a weekend or holiday');
      else if (await page.locator('table.cra-grid.single').count()) {
        assert.ok(visible <= 1, 'one control per day with one mission');
      }
    }
    await fits(page, '/leave', 'consultant-leave');
    await fits(page, '/documents', 'consultant-documents');
    const doc = await firstLink(page, 'a[href^="/documents/"]');
    await fits(page, doc, 'consultant-document');
    await fits(page, '/account', 'consultant-account');
    await fits(page, '/missions', 'consultant-missions');
    const mission = await firstLink(page, 'a[href^="/missions/"]');
    await fits(page, mission, 'consultant-mission');
  });
  await consultant.close();

  const client = await browser.newContext(PHONE);
  const sophie = await client.newPage();
  await diagnose(sophie, server, 'phone-client', async () => {
    await login(sophie, server.url, role('client_contact').email);
    await fits(sophie, null, 'client-home');
    await fits(sophie, '/cras', 'client-cra-list');
    const cra = await firstLink(sophie, 'a[href^="/cras/"]');
    await fits(sophie, cra, 'client-cra-validation');
    await fits(sophie, '/missions', 'client-missions');
    const mission = await firstLink(sophie, 'a[href^="/missions/"]');
    await fits(sophie, mission, 'client-mission');
    await fits(sophie, '/documents', 'client-documents');
    if (await sophie.locator('main a[href^="/documents/"]').count()) {
      await fits(sophie, await firstLink(sophie, 'a[href^="/documents/"]'), 'client-document');
    }
    await fits(sophie, '/account', 'client-account');
    await fits(sophie, '/portal/invoices', 'client-invoices');
  });
  await client.close();
});

test("the day count follows the consultant's entries before he saves", { timeout: 120_000 }, async () => {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  await diagnose(page, server, 'phone-cra-live', async () => {
    // Lucas typed half of last month and stopped: his report is a draft.
    await login(page, server.url, 'lucas.petit@stafforia.example');
    await page.goto(`${server.url}/cras`);
    await clickAndWait(page, page.locator('main a[href^="/cras/"]').first());
    const stat = page.locator('#cra-totals .stat[data-key^="mission:"] .n').first();
    const before = Number((await stat.innerText()).replace(',', '.'));
    // The first working day left empty, on his one mission's control.
    const empty = page.locator('table.cra-grid tbody tr:not(.off) td[data-key^="mission:"] select').filter({
      has: page.locator('option[value=""][selected]'),
    });
    assert.ok((await empty.count()) > 0, 'a day left to fill');
    const select = empty.first();
    const row = select.locator('xpath=ancestor::tr');
    await select.selectOption('1');
    assert.equal(Number((await stat.innerText()).replace(',', '.')), before + 1);
    assert.equal(await row.locator('td.total').innerText(), '1');
    await select.selectOption('0,5');
    assert.equal(Number((await stat.innerText()).replace(',', '.')), before + 0.5);
    await shot(page, 'phone-cra-live');
    // No mission picker with one mission: the grid itself has one control a day.
    assert.equal(await page.locator('#cra-pick').isVisible(), false);
  });
  await context.close();
});

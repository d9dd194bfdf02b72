// The client's portal on a phone: Sophie (Clientis) opens Camille's month
// waiting for her, sends it back with a reason, and lands on her home page
// (the report, a draft again, is the firm's until re-signed); Camille reads
// the reason on her report and in the e-mail the SMTP sink received.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startSink, waitForMail } from '../lib/mail.mjs';
import { clickAndWait, diagnose, launchBrowser, login, role, shot, startServer } from '../lib/server.mjs';

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

const phone = { locale: 'fr-FR', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
const reason = 'Le 11 était un jour de fermeture chez Clientis.';

test('a client sends a report back from the portal and the consultant reads why', { timeout: 180_000 }, async () => {
  const clientContext = await browser.newContext(phone);
  const page = await clientContext.newPage();
  let craUrl;
  await diagnose(page, server, 'portal-client-reject', async () => {
    await login(page, server.url, role('client_contact').email);
    await clickAndWait(page, page.locator('main a[href^="/cras/"]').first());
    craUrl = page.url();
    assert.match(await page.locator('#cra-status').innerText(), /Signé par le consultant/);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `the report fits a phone (${width}px)`);
    await page.locator('#field-reason').fill(reason);
    await clickAndWait(page, '#cra-reject');
    assert.equal(new URL(page.url()).pathname, '/', 'back on the portal home');
    assert.match(await page.locator('.flash.success').innerText(), /CRA renvoyé au consultant/);
    await shot(page, 'portal-client-rejected');
    // The draft is no longer the client's to see.
    const res = await page.goto(craUrl);
    assert.equal(res.status(), 404);
  });
  await clientContext.close();

  const mail = await waitForMail(sink, (m) => m.to.includes('camille.martin') && /à reprendre/.test(m.subject));
  assert.match(mail.text, /jour de fermeture/);

  const consultantContext = await browser.newContext(phone);
  const camille = await consultantContext.newPage();
  await diagnose(camille, server, 'portal-consultant-reads-reason', async () => {
    await login(camille, server.url, role('consultant').email);
    await camille.goto(craUrl);
    assert.match(await camille.locator('#cra-status').innerText(), /Brouillon/);
    assert.match(await camille.locator('#cra-rejection').innerText(), /jour de fermeture/);
    assert.match(await camille.locator('main').innerText(), /Sophie Bernard|sophie\.bernard@clientis\.example/, 'the history names who sent it back');
    await shot(camille, 'portal-consultant-reason');
  });
  await consultantContext.close();
});

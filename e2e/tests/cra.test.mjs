// The monthly activity report across its three parties: the manager sends
// Camille's signed month back with a reason; Camille fills the month on the
// grid and signs; the client's validator opens the link from the e-mail the
// SMTP sink received, types the code and validates; the manager validates
// and the report is locked.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startSink, waitForMail } from '../lib/mail.mjs';
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

const validator = 'marc.lefevre@clientis.example';

test('a CRA goes consultant → client (e-mailed link and code) → manager', { timeout: 240_000 }, async () => {
  const { page } = await newPage(browser);
  let craUrl;
  await diagnose(page, server, 'cra-send-back', async () => {
    await login(page, server.url, role('delivery_manager').email);
    await page.goto(`${server.url}/cras?status=signed`);
    await clickAndWait(page, page.getByRole('link', { name: 'Camille Martin' }).first());
    craUrl = page.url();
    assert.match(await page.locator('#cra-status').innerText(), /Signé par le consultant/);
    // Validating before the client is not even offered.
    assert.equal(await page.locator('#cra-validate').count(), 0);
    await page.locator('#field-reason').fill('Merci de vérifier le 3 : réunion chez nous.');
    await clickAndWait(page, '#cra-reject');
    assert.match(await page.locator('#cra-status').innerText(), /Brouillon/);
  });

  // The e-mails already delivered (the demo's own requests) are not ours.
  await waitForMail(sink, (m) => m.to.includes('camille.martin') && /à reprendre/.test(m.subject));
  const before = (await sink.messages()).filter((m) => m.to.includes(validator)).length;

  const consultant = await browser.newContext({ locale: 'fr-FR', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const phone = await consultant.newPage();
  await diagnose(phone, server, 'cra-fill-and-sign', async () => {
    await login(phone, server.url, role('consultant').email);
    await phone.goto(craUrl);
    assert.match(await phone.locator('#cra-rejection').innerText(), /réunion chez nous/);
    const width = await phone.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `the page itself does not scroll sideways on a phone (${width}px)`);
    // One and a half days on one date is refused, nothing lost. On a phone
    // a month of one mission folds the free activities away, so this check
    // is made on a wider window of the same session.
    await phone.setViewportSize({ width: 1024, height: 844 });
    const firstWorking = phone.locator('table.cra-grid tbody tr:not(.off)').first();
    await firstWorking.locator('select').nth(0).selectOption('1');
    await firstWorking.locator('select').nth(1).selectOption('0,5');
    await clickAndWait(phone, '#cra-save');
    assert.match(await phone.locator('#error-summary').innerText(), /plus d’une journée/);
    await firstWorking.locator('select').nth(1).selectOption('');
    await phone.setViewportSize({ width: 390, height: 844 });
    await clickAndWait(phone, phone.getByRole('button', { name: /Remplir le mois/ }).first());
    await shot(phone, 'cra-grid-phone');
    // Signing is a step that says what will happen first.
    await phone.locator('#cra-sign-step > summary').click();
    assert.match(await phone.locator('#cra-sign-consequences').innerText(), /n’est plus modifiable/);
    await clickAndWait(phone, '#cra-sign');
    assert.match(await phone.locator('#cra-status').innerText(), /Signé par le consultant/);
  });
  await consultant.close();

  // The validator's link and code, delivered through SMTP.
  const fresh = async (pred) => {
    for (let i = 0; i < 120; i += 1) {
      const mine = (await sink.messages()).filter((m) => m.to.includes(validator));
      const found = mine.slice(before).find(pred);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error('no new e-mail for the validator');
  };
  const invitation = await fresh((m) => m.text.includes('/sign/'));
  const codeMail = await fresh((m) => /code/.test(m.subject));
  const link = /(https?:\/\/\S+\/sign\/[0-9a-f]{64})/.exec(invitation.text)[1];
  const code = /\b(\d{6})\b/.exec(codeMail.text)[1];

  const client = await browser.newContext({ locale: 'fr-FR' });
  const signer = await client.newPage();
  await diagnose(signer, server, 'cra-client-validates', async () => {
    const res = await signer.goto(link);
    assert.equal(res.status(), 200);
    assert.match(await signer.locator('h1').innerText(), /CRA/);
    await signer.locator('#sign-form #field-code').fill(code);
    await signer.locator('#field-typed_name').fill('Marc Lefèvre');
    await signer.locator('#field-consent').check();
    await clickAndWait(signer, '#sign-form button[type=submit]');
    // The report now goes to the firm: not "signed by all parties".
    assert.match(await signer.locator('#sign-message').innerText(), /validation est enregistrée.*validation du cabinet/);
  });
  await client.close();

  await diagnose(page, server, 'cra-manager-validates', async () => {
    await page.goto(craUrl);
    assert.match(await page.locator('#cra-status').innerText(), /Validé par le client/);
    assert.match(await page.locator('main').innerText(), /Validé par lien e-mail/);
    await clickAndWait(page, '#cra-validate');
    assert.match(await page.locator('#cra-status').innerText(), /Validé par le manager/);
    assert.equal(await page.locator('#cra-reopen').count(), 1);
    await shot(page, 'cra-validated');
  });
});

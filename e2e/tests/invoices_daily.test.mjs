// Invoices as finance uses them every day, on the demo stopped before the
// key-account chain (`demo --key-account-pending`): the list says where
// each document stands in words and filters on it; a held invoice's draft
// is edited (payment terms beyond the legal cap refused beside the field,
// then within it); once the mission is unlocked and the invoice released,
// issuing goes through a confirmation step that says what will happen,
// usable with the keyboard alone; the issued invoice then reads "Émise"
// with all of it due. "À facturer" shows the held days apart.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { clickAndWait, diagnose, launchBrowser, login, newPage, role, shot, startServer } from '../lib/server.mjs';

let server;
let browser;

before(async () => {
  server = await startServer({ args: ['--key-account-pending'], worker: false });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

function todayFr() {
  const d = new Date();
  const p = (n) => String(n).padStart(2, '0');
  return `${p(d.getDate())}/${p(d.getMonth() + 1)}/${d.getFullYear()}`;
}

test('invoices: states in words, a draft edited, the issue confirmed', { timeout: 180_000 }, async () => {
  const { page } = await newPage(browser);
  let invoiceUrl;
  await diagnose(page, server, 'invoices-daily-list', async () => {
    await login(page, server.url, role('finance').email);
    await page.goto(`${server.url}/invoices`);
    const rows = page.locator('#invoices tbody tr');
    assert.equal(await rows.count(), 2);
    assert.match(await rows.first().innerText(), /En attente de signature/);
    // Nothing issued: the total of issued documents is zero, the held
    // invoices are counted apart.
    assert.match(await page.locator('#invoice-list-total').innerText(), /0,00/);
    assert.match(await page.locator('#invoice-list-not-issued').innerText(), /Non émis/);
    // Filtered on a state, with the keyboard.
    await page.locator('#state').selectOption('paid');
    await clickAndWait(page, 'form[action="/invoices"] button[type=submit]');
    assert.match(page.url(), /state=paid/);
    assert.equal(await page.locator('#invoices').count(), 0);
    await page.locator('#state').selectOption('waiting_signature');
    await clickAndWait(page, 'form[action="/invoices"] button[type=submit]');
    assert.equal(await page.locator('#invoices tbody tr').count(), 2);
    await shot(page, 'invoices-daily-list-waiting');
    await clickAndWait(page, page.locator('#invoices tbody tr a[href^="/invoices/"]').first());
    invoiceUrl = page.url();
  });

  await diagnose(page, server, 'invoices-daily-edit', async () => {
    // The credit note grid and the edit form are folded: the page is short.
    assert.equal(await page.locator('#invoice-edit-form').isVisible(), false);
    await page.locator('#invoice-edit > summary').click();
    await page.locator('#edit-po-number').fill('PO-2026-77');
    await page.locator('#edit-buyer-reference').fill('Service achats DSI');
    await page.locator('#edit-note').fill('Merci de rappeler le numéro de commande.');
    await page.locator('#edit-payment-days').fill('61');
    await page.locator('#edit-end-of-month').uncheck();
    await clickAndWait(page, '#invoice-edit-save');
    // Refused beside the field, what was typed kept, the form open.
    assert.match(await page.locator('#edit-payment-days-error').innerText(), /60/);
    assert.equal(await page.locator('#edit-po-number').inputValue(), 'PO-2026-77');
    await shot(page, 'invoices-daily-edit-refused');
    await page.locator('#edit-payment-days').fill('60');
    await clickAndWait(page, '#invoice-edit-save');
    assert.match(await page.locator('.flash').first().innerText(), /Brouillon enregistré/);
    const facts = await page.locator('dl.facts').first().innerText();
    assert.match(facts, /PO-2026-77/);
    assert.match(facts, /Service achats DSI/);
    assert.match(facts, /60 jours/);
    await shot(page, 'invoices-daily-edited');
  });

  // A manager lifts the key-account lock off Camille's mission.
  const { page: admin } = await newPage(browser);
  await diagnose(admin, server, 'invoices-daily-unlock', async () => {
    await login(admin, server.url, role('admin').email);
    await admin.goto(`${server.url}/missions`);
    await clickAndWait(admin, admin.locator('a', { hasText: 'Data Engineer — plateforme data' }).first());
    await clickAndWait(admin, admin.locator('a[href$="/edit"]').first());
    await admin.locator('#field-invoicing_locked').uncheck();
    await clickAndWait(admin, 'form.stacked button[type=submit]');
  });

  await diagnose(page, server, 'invoices-daily-issue', async () => {
    await page.goto(invoiceUrl);
    await clickAndWait(page, '#release-form button[type=submit]');
    // The issue is a step: it says what will happen before anything does.
    const step = page.locator('#issue-step');
    assert.equal(await page.locator('#issue-confirm').isVisible(), false);
    await page.locator('#issue-step > summary').focus();
    await page.keyboard.press('Enter');
    assert.match(await step.innerText(), /prochain numéro de la série est pris/);
    assert.match(await step.innerText(), /ne pourra plus être modifiée/);
    await page.locator('#issue-date').fill(todayFr());
    await shot(page, 'invoices-daily-issue-confirm');
    await page.locator('#issue-confirm').focus();
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]);
    assert.match(await page.locator('h1').innerText(), /FA-\d{4}-000001/);
    assert.match(await page.locator('#invoice-status').innerText(), /Émise/);
    assert.match(await page.locator('dl.facts').first().innerText(), /Reste dû/);
    // Issued: no longer edited.
    assert.equal(await page.locator('#invoice-edit').count(), 0);
    await shot(page, 'invoices-daily-issued');
    await page.goto(`${server.url}/invoices?state=issued`);
    assert.equal(await page.locator('#invoices tbody tr').count(), 1);
    assert.doesNotMatch(await page.locator('#invoice-list-total').innerText(), /^\D*0,00/);
  });

  await diagnose(page, server, 'invoices-daily-to-invoice', async () => {
    await page.goto(`${server.url}/cras/billable`);
    // The issued month is neither to invoice nor waiting; the other waits.
    assert.equal(await page.locator('#billable-waiting tbody tr').count() >= 1, true);
    await shot(page, 'invoices-daily-to-invoice');
  });
});

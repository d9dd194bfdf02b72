// The key-account chain in the browser, on the demo stopped before it
// (`demo --key-account-pending`): Camille's two validated months wait for
// Clientis's signature; finance runs each month-end close, which books them
// as accrued revenue (FAE); Sophie Bernard signs the framework contract from
// her e-mailed link and code; the worker issues both invoices, and each
// accrual is reversed, linked to its invoice, so account 4181 is back to zero.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startSink, waitForMail } from '../lib/mail.mjs';
import { clickAndWait, diagnose, launchBrowser, login, newPage, role, shot, startServer } from '../lib/server.mjs';

let sink;
let server;
let browser;

before(async () => {
  sink = await startSink();
  // No worker in the app: the test runs the jobs when it needs their effect.
  server = await startServer({ env: { REGISSEUR_SMTP_URL: sink.url }, args: ['--key-account-pending'], worker: false });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await sink?.stop();
});

/** The demo's two past months (YYYY-MM) and the close dates (dd/mm/yyyy). */
function months() {
  const now = new Date();
  const at = (back) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1));
  const ym = (d) => `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
  const fr = (d) =>
    `${String(d.getUTCDate()).padStart(2, '0')}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${d.getUTCFullYear()}`;
  return [
    { period: ym(at(2)), date: fr(at(1)) },
    { period: ym(at(1)), date: fr(at(0)) },
  ];
}

/** The trial balance's row of an account, as text. */
async function accountRow(page, account) {
  await page.goto(`${server.url}/accounting`);
  const row = page.locator('table tbody tr', { hasText: account }).first();
  return (await row.count()) ? row.innerText() : '';
}

test('key account: waiting → accrued at each close → signed → issued, accruals reversed', { timeout: 240_000 }, async () => {
  const { page } = await newPage(browser);
  await diagnose(page, server, 'key-account-waiting', async () => {
    await login(page, server.url, role('finance').email);
    await page.goto(`${server.url}/invoices/waiting`);
    assert.equal(await page.locator('#waiting tbody tr').count(), 2, 'two months wait for Clientis');
    assert.match(await page.locator('#waiting').innerText(), /Clientis/);
    await shot(page, 'key-account-waiting');
  });

  const [first, second] = months();
  for (const [i, m] of [first, second].entries()) {
    await diagnose(page, server, `key-account-close-${m.period}`, async () => {
      await page.goto(`${server.url}/close`);
      await page.locator('#field-period').fill(m.period);
      await page.locator('#field-issue_date').fill(m.date);
      await clickAndWait(page, '#close-form button[type=submit]');
      // The close is queued as a job: the page shows its progress until
      // the worker has run it.
      assert.equal(await page.locator('#close-progress').count(), 1);
      await server.runJobs();
      await page.reload();
      // Each close accrues its own month; nothing can be issued yet.
      assert.equal((await page.locator('#close-accrued').innerText()).trim(), '1');
      assert.equal((await page.locator('#close-issued').innerText()).trim(), '0');
      assert.equal((await page.locator('#close-waiting').innerText()).trim(), String(i + 1));
      assert.equal(await page.locator('#close-errors').count(), 0);
      await shot(page, `key-account-close-${i + 1}`);
    });
  }
  await diagnose(page, server, 'key-account-accrued', async () => {
    assert.match(await accountRow(page, '4181'), /4181/, 'the accruals are on 4181');
    await page.goto(`${server.url}/invoices/waiting`);
    assert.doesNotMatch(await page.locator('#waiting-total-accrued').innerText(), /^0,00/);
  });

  // Sophie signs the framework contract from her two e-mails.
  const sophie = role('client_contact').email;
  await server.runJobs(); // sends the signing e-mails the demo queued
  const invitation = await waitForMail(sink, (m) => m.to.includes(sophie) && m.text.includes('/sign/'));
  const codeMail = await waitForMail(sink, (m) => m.to.includes(sophie) && /code de signature/.test(m.subject));
  // The demo mailed its links for the address it announces; this server
  // listens elsewhere.
  const link = `${server.url}${/\/sign\/[0-9a-f]{64}/.exec(invitation.text)[0]}`;
  const code = /\b(\d{6})\b/.exec(codeMail.text)[1];
  const { page: signer } = await newPage(browser);
  await diagnose(signer, server, 'key-account-sign', async () => {
    const res = await signer.goto(link);
    assert.equal(res.status(), 200);
    await signer.locator('#sign-form #field-code').fill(code);
    await signer.locator('#field-typed_name').fill('Sophie Bernard');
    await signer.locator('#field-consent').check();
    await clickAndWait(signer, '#sign-form button[type=submit]');
    assert.match(await signer.locator('#sign-message').innerText(), /signé par toutes les parties/);
  });

  // The signature queued the release: the worker issues both invoices.
  await diagnose(page, server, 'key-account-issued', async () => {
    await server.runJobs();
    await page.goto(`${server.url}/invoices/waiting`);
    assert.equal(await page.locator('#waiting tbody tr').count(), 0, 'the waiting invoices were released');
    await page.goto(`${server.url}/invoices?status=issued`);
    const list = await page.locator('#invoices').innerText();
    assert.equal((list.match(/FA-\d{4}-\d{6}/g) || []).length, 2, list);
    await shot(page, 'key-account-issued');
    // The second month's invoice: its accrual, then the reversal of it.
    await clickAndWait(page, page.locator('#invoices a', { hasText: /FA-\d{4}-000002/ }).first());
    assert.match(await page.locator('#invoice-status').innerText(), /Émise/);
    const entries = await page.locator('#invoice-entries').innerText();
    assert.match(entries, /FAE/, entries);
    assert.match(entries, /Extourne FAE/, entries);
    assert.match(entries, /Facture FA-/, entries);
    await shot(page, 'key-account-invoice');
    const fae = await accountRow(page, '4181');
    assert.match(fae, /0,00\s*€\s*$/, `4181 nets to zero: ${fae}`);
  });
});

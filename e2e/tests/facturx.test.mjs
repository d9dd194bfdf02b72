// Factur-X, the e-invoicing lifecycle and the FEC in the browser, on the
// full demo: the November invoice of Camille's mission at Clientis is
// deposited by the worker into the drop folder (status 200 Déposée); finance
// downloads its Factur-X PDF, whose attachment poppler's pdfdetach extracts
// byte for byte equal to the XML download; finance records the buyer's
// approval (205); then exports the year's FEC through the job queue and
// checks the file's header and name; the seal page finds every chain intact.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { clickAndWait, diagnose, launchBrowser, login, newPage, role, shot, startServer } from '../lib/server.mjs';

let server;
let browser;
let drop;

before(async () => {
  drop = await mkdtemp(path.join(tmpdir(), 'regisseur-e2e-drop-'));
  // No worker in the app: the test runs the jobs when it needs their effect.
  server = await startServer({ env: { REGISSEUR_EINVOICE_DROP_DIR: drop }, worker: false });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (drop) await rm(drop, { recursive: true, force: true });
});

/** Saves the download started by clicking `selector`; returns its bytes and name. */
async function download(page, selector) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.locator(selector).click()]);
  const file = path.join(drop, `dl-${Date.now()}-${dl.suggestedFilename()}`);
  await dl.saveAs(file);
  return { file, name: dl.suggestedFilename(), bytes: await readFile(file) };
}

test('Factur-X download, lifecycle and FEC export', { timeout: 240_000 }, async () => {
  const { page } = await newPage(browser);
  await login(page, server.url, role('finance').email);

  await diagnose(page, server, 'facturx-invoice', async () => {
    await page.goto(`${server.url}/invoices`);
    // The demo's 14 400,00 € invoice (Clientis, second month), whatever its number.
    const link = page.locator('#invoices tbody tr', { hasText: /14\s400,00/ }).locator('a', { hasText: /^FA-\d{4}-\d{6}$/ }).first();
    const number = (await link.innerText()).trim();
    await clickAndWait(page, link);
    // The worker deposits the invoices issued by the demo.
    await server.runJobs();
    await page.reload();
    assert.match(await page.locator('#lifecycle-status').innerText(), /Déposée/);
    assert.match(await page.locator('#lifecycle-history').innerText(), /200/);
    await shot(page, 'facturx-invoice-deposited');

    const pdf = await download(page, '#invoice-facturx');
    assert.equal(pdf.bytes.subarray(0, 8).toString('latin1'), '%PDF-1.7');
    const xml = await download(page, '#invoice-facturx-xml');
    assert.match(xml.bytes.toString('utf8'), /urn:cen\.eu:en16931:2017/);
    assert.match(xml.bytes.toString('utf8'), /<ram:DuePayableAmount>14400\.00<\/ram:DuePayableAmount>/);
    // A tool we did not write finds the attachment, equal to the XML served.
    const listing = execFileSync('pdfdetach', ['-list', pdf.file]).toString();
    assert.match(listing, /factur-x\.xml/);
    const extracted = path.join(drop, 'extracted.xml');
    execFileSync('pdfdetach', ['-save', '1', '-o', extracted, pdf.file]);
    assert.ok((await readFile(extracted)).equals(xml.bytes), 'the embedded XML is the XML served');
    // The drop folder holds the deposited file and its manifest line.
    const manifest = (await readFile(path.join(drop, 'outbox', 'manifest.csv'))).toString('utf8');
    assert.ok(manifest.includes(number), manifest);
  });

  await diagnose(page, server, 'facturx-lifecycle', async () => {
    await page.locator('#lifecycle-status-select').selectOption('205');
    await clickAndWait(page, '#lifecycle-form button[type=submit]');
    assert.match(await page.locator('#lifecycle-status').innerText(), /Approuvée/);
    assert.match(await page.locator('#lifecycle-history').innerText(), /205/);
    await shot(page, 'facturx-invoice-approved');
  });

  await diagnose(page, server, 'fec-export', async () => {
    await page.goto(`${server.url}/accounting/fec`);
    // The demo's invoices are of this year (the page offers the last closed year first).
    await page.locator('#fec-year').selectOption(String(new Date().getFullYear()));
    await clickAndWait(page, 'form[action="/accounting/fec"] button[type=submit]');
    // The worker writes the file; the page then shows its link.
    await server.runJobs();
    await page.reload();
    const link = page.locator('#fec-exports a[href$="/download"]').first();
    await link.waitFor();
    await shot(page, 'fec-export-done');
    const fec = await download(page, '#fec-exports a[href$="/download"]');
    assert.match(fec.name, /^\d{9}FEC\d{4}1231\.txt$/);
    const header = fec.bytes.toString('latin1').split(/\r?\n/)[0];
    assert.equal(header.split('\t').length, 18);
    assert.match(header, /^JournalCode\tJournalLib\tEcritureNum\tEcritureDate\tCompteNum/);
    assert.match(fec.bytes.toString('latin1'), /\tVE\t|^VE\t/m);
  });

  await diagnose(page, server, 'seal', async () => {
    await page.goto(`${server.url}/accounting/seal`);
    const body = await page.locator('main').innerText();
    assert.match(body, /Toutes les chaînes sont intègres/);
    assert.doesNotMatch(body, /Rompue à/);
    await shot(page, 'ledger-seal');
  });
});

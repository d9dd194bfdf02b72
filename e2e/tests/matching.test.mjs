// Bank statement import and matching in the browser, on the full demo:
// finance imports a French-bank CSV (Latin-1, `;`, Débit/Crédit) paying
// half of Clientis's November invoice (FA-…-000002, 14 400,00 €) into the
// demo's bank account, sees the suggestion for that invoice with its
// confidence and reasons, accepts it in one click; the line leaves the
// queue and the invoice shows as partially paid (7 200,00 € received).
// A malformed CAMT.053 is refused first, with its line and element.
//
// Needs the demo to hold an active bank account (the firm's IBAN).

import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { clickAndWait, diagnose, launchBrowser, login, newPage, role, shot, startServer } from '../lib/server.mjs';

let server;
let browser;
let dir;

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'regisseur-e2e-statements-'));
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Latin-1 bytes of a string (the encoding French banks export). */
function latin1(s) {
  return Buffer.from(s, 'latin1');
}

function ddmmyyyy(d) {
  const p = (n) => String(n).padStart(2, '0');
  return `${p(d.getDate())}/${p(d.getMonth() + 1)}/${d.getFullYear()}`;
}

test('import a statement, accept the suggestion, invoice partly paid', { timeout: 180_000 }, async () => {
  const { page } = await newPage(browser);
  await login(page, server.url, role('finance').email);

  let number;
  await diagnose(page, server, 'matching-invoice', async () => {
    await page.goto(`${server.url}/invoices`);
    number = (await page.locator('a', { hasText: /^FA-\d{4}-000002$/ }).first().innerText()).trim();
    assert.match(number, /^FA-\d{4}-000002$/);
  });

  await diagnose(page, server, 'matching-malformed', async () => {
    await page.goto(`${server.url}/collections/statements`);
    assert.ok((await page.locator('#st-bank option').count()) > 0, 'the demo has a bank account');
    const bad = path.join(dir, 'releve-casse.xml');
    await writeFile(
      bad,
      '<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">\n' +
        '<BkToCstmrStmt><Stmt><Id>E2E-BAD</Id>\n<Ntry><Amt Ccy="EUR">7 200,00</Amt><CdtDbtInd>CRDT</CdtDbtInd>\n' +
        '<BookgDt><Dt>2026-11-12</Dt></BookgDt></Ntry></Stmt></BkToCstmrStmt></Document>\n',
    );
    await page.locator('#st-format').selectOption('camt053');
    await page.locator('#st-file').setInputFiles(bad);
    await clickAndWait(page, '#statement-upload button[type=submit]');
    const errors = await page.locator('#statement-errors').innerText();
    assert.match(errors, /Ligne 4, Document\/BkToCstmrStmt\/Stmt\/Ntry\/Amt/);
    assert.match(errors, /n'est pas un montant/);
    assert.match(await page.locator('main').innerText(), /Aucun relevé importé/);
    await shot(page, 'statement-refused');
  });

  await diagnose(page, server, 'matching-import', async () => {
    const csv = path.join(dir, 'releve-bnp.csv');
    const today = ddmmyyyy(new Date());
    await writeFile(
      csv,
      latin1(
        'Date;Libellé;Débit;Crédit\r\n' +
          `${today};VIR SEPA RECU /DE CLIENTIS GROUP /MOTIF FACTURE ${number} ACOMPTE 1/2;;7 200,00\r\n` +
          `${today};COMMISSIONS ET FRAIS DE TENUE DE COMPTE;14,40;\r\n`,
      ),
    );
    await page.goto(`${server.url}/collections/statements`);
    await page.locator('#st-format').selectOption('csv');
    await page.locator('#st-file').setInputFiles(csv);
    await clickAndWait(page, '#statement-upload button[type=submit]');
    assert.match(await page.locator('main').innerText(), /Relevé importé/);
    const lines = await page.locator('#statement-lines').innerText();
    assert.match(lines, /7\s200,00\s€/);
    assert.match(lines, /COMMISSIONS ET FRAIS/);
    await shot(page, 'statement-imported');
  });

  await diagnose(page, server, 'matching-accept', async () => {
    await page.goto(`${server.url}/collections/matching`);
    const card = page.locator('section.matching-line', { hasText: number });
    await card.first().waitFor();
    const suggestion = card.locator('.suggestion').first();
    assert.match(await suggestion.innerText(), new RegExp(number));
    assert.match(await suggestion.innerText(), /numéro de facture dans le libellé/);
    assert.match(await suggestion.locator('.badge').innerText(), /\d+ %/);
    await shot(page, 'matching-queue');
    await clickAndWait(page, suggestion.locator('button[type=submit]'));
    const main = await page.locator('main').innerText();
    assert.match(main, /Règlement enregistré/);
    assert.doesNotMatch(main, new RegExp(`MOTIF FACTURE ${number}`));
    await shot(page, 'matching-accepted');
  });

  await diagnose(page, server, 'matching-invoice-paid', async () => {
    await page.goto(`${server.url}/invoices`);
    await clickAndWait(page, page.locator('a', { hasText: number }).first());
    // Half of the 14 400,00 € is received (status 212 follows the payment).
    assert.match(await page.locator('#lifecycle-received').innerText(), /7\s200,00\s€.*14\s400,00\s€/);
    await shot(page, 'matching-invoice-partly-paid');
  });
});

// Bank statement import and matching in the browser, on the full demo:
// a malformed CAMT.053 is refused with its line and element, nothing
// imported; finance imports a French-bank CSV (Latin-1, `;`, Débit/Crédit)
// with a transfer nobody can be matched to, picks an open demo invoice in
// the queue's invoice picker, then imports a second CSV paying half of it
// with its number in the label; the suggestion for that invoice shows with
// its confidence and reasons, is accepted in one click, the line leaves
// the queue and the invoice shows the half as received.
//
// Needs the demo to hold an active bank account (the firm's IBAN).

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
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
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Latin-1 bytes of a string (the encoding French banks export). */
function latin1(s) {
  return Buffer.from(s, 'latin1');
}

function ddmmyyyy(d) {
  const p = (n) => String(n).padStart(2, '0');
  return `${p(d.getDate())}/${p(d.getMonth() + 1)}/${d.getFullYear()}`;
}

/** Cents of a French amount as the pages print it ("14 400,00 €"). */
function cents(text) {
  const m = text.match(/-?[\d\s\u00a0\u202f]+,\d{2}/);
  assert.ok(m, `no amount in ${text}`);
  return Number(m[0].replace(/[^\d-]/g, ''));
}

/** "7 200,00" as a French CSV writes an amount of `c` cents. */
function csvAmount(c) {
  return `${Math.floor(c / 100)},${String(c % 100).padStart(2, '0')}`;
}

async function importCsv(page, name, content) {
  const file = path.join(dir, name);
  await writeFile(file, latin1(content));
  await page.goto(`${server.url}/collections/statements`);
  await page.locator('#st-format').selectOption('csv');
  await page.locator('#st-file').setInputFiles(file);
  await clickAndWait(page, '#statement-upload button[type=submit]');
  assert.match(await page.locator('main').innerText(), /Import terminé\. Relevés importés : 1 ;/);
}

test('import a statement, accept the suggestion, invoice partly paid', { timeout: 180_000 }, async () => {
  const { page } = await newPage(browser);
  await login(page, server.url, role('finance').email);
  const today = ddmmyyyy(new Date());

  await diagnose(page, server, 'matching-malformed', async () => {
    await page.goto(`${server.url}/collections/statements`);
    assert.ok((await page.locator('#st-bank option').count()) > 0, 'the demo has a bank account');
    const bad = path.join(dir, 'releve-casse.xml');
    await writeFile(
      bad,
      '<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">\n' +
        '<BkToCstmrStmt><Stmt><Id>E2E-BAD</Id><Acct><Id><IBAN>FR7630004000031234567890143</IBAN></Id></Acct>\n<Ntry><Amt Ccy="EUR">7 200,00</Amt><CdtDbtInd>CRDT</CdtDbtInd>\n' +
        '<BookgDt><Dt>2026-11-12</Dt></BookgDt></Ntry></Stmt></BkToCstmrStmt></Document>\n',
    );
    await page.locator('#st-format').selectOption('camt053');
    await page.locator('#st-file').setInputFiles(bad);
    await clickAndWait(page, '#statement-upload button[type=submit]');
    const errors = await page.locator('#statement-errors').innerText();
    assert.match(errors, /Ligne 4, Document\/BkToCstmrStmt\/Stmt\/Ntry\/Amt/);
    assert.match(errors, /n'est pas un montant/);
    assert.doesNotMatch(await page.locator('main').innerText(), /releve-casse\.xml/);
    await shot(page, 'statement-refused');
  });

  let number;
  let outstanding;
  await diagnose(page, server, 'matching-pick', async () => {
    await importCsv(
      page,
      'releve-1.csv',
      'Date;Libellé;Débit;Crédit\r\n' +
        `${today};VIR SEPA RECU /DE INCONNU SARL /MOTIF DIVERS;;123,45\r\n` +
        `${today};COMMISSIONS ET FRAIS DE TENUE DE COMPTE;14,40;\r\n`,
    );
    const lines = await page.locator('#statement-lines').innerText();
    assert.match(lines, /123,45\s€/);
    assert.match(lines, /COMMISSIONS ET FRAIS/);
    await page.goto(`${server.url}/collections/matching`);
    const card = page.locator('section.matching-line', { hasText: 'INCONNU SARL' }).first();
    const options = await card.locator('select[name=invoice] option').allInnerTexts();
    const open = options.map((o) => o.match(/^(FA-\d{4}-\d{6}) — .+ — (.+) \(/)).find(Boolean);
    assert.ok(open, `an open demo invoice in the picker: ${options.join(' | ')}`);
    number = open[1];
    outstanding = cents(open[2]);
    assert.ok(outstanding > 1);
  });

  const half = Math.floor(outstanding / 2);
  await diagnose(page, server, 'matching-import', async () => {
    await importCsv(
      page,
      'releve-2.csv',
      'Date;Libellé;Débit;Crédit\r\n' +
        `${today};VIR SEPA RECU /MOTIF FACTURE ${number} ACOMPTE;;${csvAmount(half)}\r\n`,
    );
    await shot(page, 'statement-imported');
  });

  await diagnose(page, server, 'matching-accept', async () => {
    await page.goto(`${server.url}/collections/matching`);
    const card = page.locator('section.matching-line', { hasText: new RegExp(`MOTIF FACTURE ${number} ACOMPTE`) });
    await card.first().waitFor();
    const suggestion = card.first().locator('.suggestion').first();
    assert.match(await suggestion.innerText(), new RegExp(number));
    assert.match(await suggestion.innerText(), /numéro de facture dans le libellé/);
    assert.match(await suggestion.locator('.badge').innerText(), /\d+ %/);
    await shot(page, 'matching-queue');
    await clickAndWait(page, suggestion.locator('button[type=submit]'));
    const main = await page.locator('main').innerText();
    assert.match(main, /Règlement enregistré/);
    assert.doesNotMatch(main, new RegExp(`FACTURE ${number} ACOMPTE`));
    assert.match(main, /INCONNU SARL/, 'the other line still waits');
    await shot(page, 'matching-accepted');
  });

  await diagnose(page, server, 'matching-invoice-paid', async () => {
    await page.goto(`${server.url}/invoices`);
    await clickAndWait(page, page.locator('a', { hasText: number }).first());
    // "Encaissé : R sur T TTC": what was received before plus the half.
    const received = await page.locator('#lifecycle-received').innerText();
    const [r, t] = received.split(/ sur /).map(cents);
    assert.equal(r, t - outstanding + half, received);
    await shot(page, 'matching-invoice-partly-paid');
  });
});

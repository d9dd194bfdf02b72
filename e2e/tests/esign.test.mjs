// The electronic signature end to end: the business manager sends Lucas's
// mission order; the signer opens the link from the e-mail the SMTP sink
// received, types the code from the second e-mail on a phone, signs; the
// link cannot be used again; the certificate shows the trail and passes
// qpdf's structural check.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startSink, waitForMail } from '../lib/mail.mjs';
import { clickAndWait, diagnose, launchBrowser, login, newPage, role, shot, startServer } from '../lib/server.mjs';

let sink;
let server;
let browser;
let tmp;

before(async () => {
  sink = await startSink();
  server = await startServer({ env: { REGISSEUR_SMTP_URL: sink.url } });
  browser = await launchBrowser();
  tmp = await mkdtemp(path.join(tmpdir(), 'regisseur-esign-'));
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await sink?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const hasTool = (name) => ['/usr/bin', '/usr/local/bin'].some((d) => existsSync(path.join(d, name)));

/** Text of a PDF after qpdf checked its structure (tools we did not write). */
async function checkedPdfText(bytes, name) {
  const file = path.join(tmp, name);
  await writeFile(file, bytes);
  if (!hasTool('qpdf') || !hasTool('pdftotext')) {
    if (process.env.REGISSEUR_REQUIRE_PDF_TOOLS === '1') throw new Error('qpdf and pdftotext are required');
    return null;
  }
  execFileSync('qpdf', ['--check', file]);
  return execFileSync('pdftotext', ['-layout', file, '-']).toString('utf8');
}

test('a mission order is signed with the link and the code received by e-mail', { timeout: 180_000 }, async () => {
  const lucas = 'lucas.petit@stafforia.example';
  const { page } = await newPage(browser);
  let documentUrl;
  await diagnose(page, server, 'esign-send', async () => {
    await login(page, server.url, role('business_manager').email);
    await page.goto(`${server.url}/missions`);
    await clickAndWait(page, page.getByRole('link', { name: /Développeur Java/ }));
    await clickAndWait(page, page.getByRole('link', { name: 'Envoyer l’ordre de mission pour signature' }));
    assert.equal(await page.locator('#field-signer_email_1').inputValue(), lucas);
    await clickAndWait(page, 'form.stacked button[type=submit]');
    assert.match(await page.locator('main').innerText(), /En attente de signature/);
    documentUrl = page.url();
    await shot(page, 'esign-sent');
  });

  // The worker delivers both e-mails through SMTP.
  const invitation = await waitForMail(sink, (m) => m.to.includes(lucas) && m.text.includes('/sign/'));
  const codeMail = await waitForMail(sink, (m) => m.to.includes(lucas) && /code de signature/.test(m.subject));
  const link = /(https?:\/\/\S+\/sign\/[0-9a-f]{64})/.exec(invitation.text)[1];
  const code = /\b(\d{6})\b/.exec(codeMail.text)[1];
  assert.ok(!invitation.text.includes(code), 'the code travels in its own e-mail');

  // The signer, on a phone, without any account.
  const phone = await browser.newContext({
    locale: 'fr-FR',
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
  });
  const signer = await phone.newPage();
  await diagnose(signer, server, 'esign-sign', async () => {
    const res = await signer.goto(link);
    assert.equal(res.status(), 200);
    assert.match(await signer.locator('h1').innerText(), /Ordre de mission/);
    const width = await signer.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `no sideways scrolling on a phone (${width}px)`);
    // Embedded PDFs are blank on phones: the document's text is on the
    // page (the mission order's key terms) with a download link.
    const text = await signer.locator('section.doc-text').innerText();
    assert.match(text, /Lucas Petit/);
    assert.match(text, /Banque Horizon/);
    const pdf = await signer.locator('a[href$="/document.pdf"]').getAttribute('href');
    const download = await signer.request.get(new URL(pdf, link).href);
    assert.equal(download.status(), 200);
    assert.equal(download.headers()['content-type'], 'application/pdf');
    await signer.locator('#sign-form #field-code').fill(code);
    await signer.locator('#field-typed_name').fill('Lucas Petit');
    await signer.locator('#field-consent').check();
    await shot(signer, 'esign-signing-phone');
    await clickAndWait(signer, '#sign-form button[type=submit]');
    assert.match(await signer.locator('#sign-message').innerText(), /signé par toutes les parties/);
    // A link works once.
    const again = await signer.goto(link);
    assert.equal(again.status(), 410);
    assert.match(await signer.locator('main').innerText(), /déjà servi/);
  });
  await phone.close();

  await diagnose(page, server, 'esign-certificate', async () => {
    await page.goto(documentUrl);
    const main = await page.locator('main').innerText();
    assert.match(main, /Signé/);
    assert.match(main, /Chaîne d’empreintes vérifiée/);
    assert.match(main, /Signature complète/);
    assert.match(main, /Document consulté/);
    await shot(page, 'esign-trail');
    const cert = await page.request.get(`${documentUrl}/certificate.pdf`);
    assert.equal(cert.status(), 200);
    assert.equal(cert.headers()['content-type'], 'application/pdf');
    const text = await checkedPdfText(await cert.body(), 'certificat.pdf');
    if (text !== null) {
      assert.match(text, /Certificat de signature/);
      assert.match(text, /Journal d.audit/);
      assert.match(text, /Lucas Petit/);
      assert.match(text, /Journal vérifié/);
    }
    const signed = await page.request.get(`${documentUrl}/signed.pdf`);
    const signedText = await checkedPdfText(await signed.body(), 'signe.pdf');
    if (signedText !== null) {
      assert.match(signedText, /Page de signature/);
      assert.match(signedText, /Lucas Petit/);
    }
  });
  // Everyone is told: the confirmation reached the signer too.
  await waitForMail(sink, (m) => m.to.includes(lucas) && /Document signé/.test(m.subject));
});

test('cancelling a signature request says what it undoes, then does it', { timeout: 120_000 }, async () => {
  const { page } = await newPage(browser);
  await diagnose(page, server, 'esign-cancel', async () => {
    await login(page, server.url, role('business_manager').email);
    await page.goto(`${server.url}/documents`);
    // Next year's purchase order, waiting for Sophie Bernard's signature.
    await clickAndWait(page, page.getByRole('link', { name: /Bon de commande/ }).first());
    const step = page.locator('#document-cancel-step');
    // Folded: nothing is cancelled by a stray click.
    assert.equal(await page.locator('#document-cancel').isVisible(), false);
    await step.locator('summary').click();
    assert.match(await page.locator('#document-cancel-consequences').innerText(), /ne permettront plus de signer/);
    await shot(page, 'esign-cancel-confirm');
    await clickAndWait(page, '#document-cancel');
    assert.match(await page.locator('main').innerText(), /La demande de signature est annulée/);
    assert.equal(await page.locator('#document-cancel-step').count(), 0, 'nothing left to cancel');
    await shot(page, 'esign-cancelled');
  });
});

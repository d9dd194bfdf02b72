// Invoices by e-mail and invitations, through the SMTP sink.
//
// Finance e-mails an issued Clientis invoice from its page (a confirmation
// first, saying to whom), the worker delivers it once with its Factur-X
// PDF attached, and it is sent again by hand. A business manager invites a
// consultant from the missions page; the consultant opens the link from
// the e-mail, chooses his password and is signed in; the link then no
// longer works.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { attachments, startSink, waitForMail } from '../lib/mail.mjs';
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

const mailsAbout = async (number) => (await sink.messages()).filter((m) => m.subject.includes(number));

test('an issued invoice is e-mailed with its Factur-X at issue, once, then sent again by hand', { timeout: 180_000 }, async () => {
  const { page } = await newPage(browser);
  let number;
  await diagnose(page, server, 'invoice-email', async () => {
    await login(page, server.url, role('finance').email);
    await page.goto(`${server.url}/invoices`);
    const link = page
      .locator('tr', { hasText: 'Clientis Group' })
      .locator('a[href^="/invoices/"]', { hasText: /^FA-\d{4}-\d{6}$/ })
      .first();
    number = (await link.innerText()).trim();
    await clickAndWait(page, link);
    // Clientis asked for its invoices by e-mail: the demo's release sent
    // it automatically, to the billing contact, copy to the manager.
    const sendings = await page.locator('#invoice-email-sendings').innerText();
    assert.match(sendings, /automatique, à l.émission/);
    assert.match(sendings, /@clientis\.example/);
    assert.ok(sendings.includes(role('business_manager').email), sendings);
  });

  // The worker delivers it through SMTP, once.
  const mail = await waitForMail(sink, (m) => m.subject.includes(number));
  assert.match(mail.to, /@clientis\.example/);
  assert.ok(mail.cc.includes(role('business_manager').email), mail.cc);
  const files = attachments(mail);
  assert.equal(files.length, 1);
  assert.equal(files[0].contentType, 'application/pdf');
  assert.equal(files[0].fileName, `${number}.pdf`);
  const pdf = files[0].bytes.toString('latin1');
  assert.ok(pdf.startsWith('%PDF-'));
  assert.ok(pdf.includes('factur-x.xml') && pdf.includes('CrossIndustryInvoice'), 'the Factur-X XML embedded');
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal((await mailsAbout(number)).length, 1, 'delivered once');

  await diagnose(page, server, 'invoice-email-confirm', async () => {
    await page.reload();
    await clickAndWait(page, '#invoice-email-send');
    // The confirmation says to whom, with the copy, before anything is sent.
    assert.match(await page.locator('#invoice-email-what').innerText(), new RegExp(`${number} sera envoyée à`));
    assert.match(await page.locator('main').innerText(), /déjà été envoyée/);
    const to = (await page.locator('#invoice-email-to').innerText()).trim();
    assert.match(to, /@clientis\.example$/);
    assert.equal((await page.locator('#invoice-email-cc').innerText()).trim(), role('business_manager').email);
    await shot(page, 'invoice-email-confirm');
    await page.goBack();
  });

  await diagnose(page, server, 'invoice-email-resend', async () => {
    await page.reload();
    await clickAndWait(page, page.getByRole('link', { name: 'Renvoyer par e-mail' }));
    assert.match(await page.locator('main').innerText(), /déjà été envoyée/);
    await clickAndWait(page, '#invoice-email-confirm');
    assert.match(await page.locator('.flash').first().innerText(), /part par e-mail/);
    assert.match(await page.locator('#invoice-email-sendings').innerText(), /à la main/);
    await shot(page, 'invoice-email-sent');
  });
  const deadline = Date.now() + 30_000;
  while ((await mailsAbout(number)).length < 2 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.equal((await mailsAbout(number)).length, 2, 'sent again by hand');
});

test('a consultant invited by his business manager chooses his own password', { timeout: 180_000 }, async () => {
  const email = 'lea.petit@stafforia.example';
  const { page } = await newPage(browser);
  await diagnose(page, server, 'invite', async () => {
    await login(page, server.url, role('business_manager').email);
    await page.goto(`${server.url}/missions`);
    await clickAndWait(page, '#invite-consultant');
    assert.equal(await page.locator('input[type=password]').count(), 0, 'no password typed for someone else');
    await page.locator('#field-display_name').fill('Léa Petit');
    await page.locator('#field-email').fill(email);
    await shot(page, 'invite-form');
    await clickAndWait(page, 'form.stacked button[type=submit]');
    assert.match(await page.locator('.flash').first().innerText(), /invitation est partie/);
  });

  const invitation = await waitForMail(sink, (m) => m.to.includes(email));
  assert.match(invitation.subject, /Invitation/);
  const link = /(https?:\/\/\S+\/invitation\/[0-9a-f]{64})/.exec(invitation.text)[1];
  assert.ok(link.startsWith(server.url), `the link points to the address served: ${link}`);

  const { context, page: lea } = await newPage(browser);
  await diagnose(lea, server, 'invitation-accept', async () => {
    await lea.goto(link);
    assert.match(await lea.locator('#invitation-account').innerText(), /Léa Petit/);
    await lea.locator('#field-new_password').fill('court');
    await lea.locator('#field-confirm_password').fill('court');
    await clickAndWait(lea, '#invitation-form button[type=submit]');
    assert.match(await lea.locator('#field-new_password-error').innerText(), /12/);
    await lea.locator('#field-new_password').fill('une phrase bien à moi');
    await lea.locator('#field-confirm_password').fill('une phrase bien à moi');
    await clickAndWait(lea, '#invitation-form button[type=submit]');
    assert.equal(new URL(lea.url()).pathname, '/');
    assert.match(await lea.locator('body').innerText(), /Léa Petit/);
    assert.match(await lea.locator('.flash').first().innerText(), /mot de passe est enregistré/);
    await shot(lea, 'invitation-accepted');
    // The link has served.
    await lea.goto(link);
    assert.match(await lea.locator('#invitation-refused').innerText(), /déjà servi/);
  });
  await context.close();

  // She signs in with the password she chose.
  const { context: again, page: signin } = await newPage(browser);
  await login(signin, server.url, email, 'une phrase bien à moi');
  assert.equal(new URL(signin.url()).pathname, '/');
  await again.close();
});

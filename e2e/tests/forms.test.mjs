// The company form as the business manager: a field error in French, the fix,
// the flash message, then the same error in English through the footer's
// language switcher.
//
// The steps share one logged-in page and run in order.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  clickAndWait,
  diagnose,
  launchBrowser,
  login,
  newPage,
  role,
  shot,
  startServer,
  text,
} from '../lib/server.mjs';

const BAD_SIREN = '123456789'; // fails the Luhn key
const GOOD_SIREN = '732829320';
// The company form's own submit button: the log-out and language forms on the
// same page have submit buttons too.
const SUBMIT = 'form:has(#field-siren) button[type=submit]';

let server;
let browser;
let context;
let page;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  ({ context, page } = await newPage(browser));
  await login(page, server.url, role('business_manager').email);
  await page.locator('#current-user').waitFor({ state: 'visible' });
});

after(async () => {
  await context?.close();
  await browser?.close();
  await server?.stop();
});

const step = (name, fn) =>
  test(name, { timeout: 60_000 }, () => diagnose(page, server, name.replace(/\W+/g, '-'), fn));

async function htmlLang() {
  return page.locator('html').getAttribute('lang');
}

async function submitBadSiren() {
  const form = await page.goto(`${server.url}/companies/new`);
  assert.equal(form.status(), 200, '/companies/new answers 200');
  await page.locator('#field-name').fill('Société Test');
  await page.locator('#field-siren').fill(BAD_SIREN);
  const response = await clickAndWait(page, SUBMIT);
  assert.equal(response.status(), 422, 'an invalid form is re-rendered with HTTP 422');

  const error = page.locator('#field-siren-error');
  await error.waitFor({ state: 'visible' });
  const siren = page.locator('#field-siren');
  assert.equal(await siren.getAttribute('aria-invalid'), 'true');
  assert.equal(await siren.inputValue(), BAD_SIREN, 'the typed SIREN is kept');
  assert.equal(await page.locator('#field-name').inputValue(), 'Société Test', 'the name is kept');
  return (await error.innerText()).trim();
}

async function switchLocale(locale) {
  const button = page.locator(`footer #locale-form button[name=locale][value=${locale}]`);
  await button.waitFor({ state: 'visible' });
  const response = await clickAndWait(page, button);
  assert.ok(response.status() < 400, `switching to ${locale} answers ${response.status()}`);
  assert.equal(await htmlLang(), locale);
}

step('the pages are in French by default', async () => {
  assert.equal(await htmlLang(), 'fr');
});

step('a bad SIREN is refused beside the field, in French', async () => {
  const message = await submitBadSiren();
  assert.match(message, /clé de contrôle/);
  await shot(page, 'company-form-error-fr');
});

step('the fixed form creates the company and shows a flash message', async () => {
  await page.locator('#field-siren').fill(GOOD_SIREN);
  const response = await clickAndWait(page, SUBMIT);
  assert.equal(response.status(), 200);
  const pathname = new URL(page.url()).pathname;
  assert.match(pathname, /^\/companies\/[^/]+$/, `redirected to a company page, got ${pathname}`);
  assert.notEqual(pathname, '/companies/new');
  await page.locator('h1').first().waitFor({ state: 'visible' });
  assert.match(await text(page, 'h1'), /Société Test/);
  await page.locator('[role=status]').first().waitFor({ state: 'visible' });
  await shot(page, 'company-created-fr');
});

step('the footer switches the interface to English', async () => {
  await switchLocale('en');
  const companies = page.getByRole('navigation').locator('a[href="/companies"]').first();
  // Inside its group ("Commerce"), folded: its text, not its rendering.
  assert.equal((await companies.textContent()).trim(), 'Companies');
  await shot(page, 'company-page-en');
});

step('a bad SIREN is refused in English', async () => {
  const message = await submitBadSiren();
  assert.match(message, /check digit/);
  await shot(page, 'company-form-error-en');
});

step('the footer switches back to French', async () => {
  await switchLocale('fr');
  const response = await page.goto(`${server.url}/companies/new`);
  assert.equal(response.status(), 200);
  assert.equal(await htmlLang(), 'fr', 'French is remembered');
});

// Every demo role: log in, home page, its list page, log out.
// Plus: the consultant's French 403 page, and the generic login error.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  ROLES,
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

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Runs `fn(page)` in a fresh browser context (own cookies), with diagnostics. */
async function withPage(name, fn) {
  const { context, page } = await newPage(browser);
  try {
    await diagnose(page, server, name, () => fn(page));
  } finally {
    await context.close();
  }
}

async function expectLoginPage(page) {
  await page.locator('#email').waitFor({ state: 'visible' });
  await page.locator('#password').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#current-user').count(), 0, 'no user is shown as logged in');
}

describe('every demo role', () => {
  for (const r of ROLES) {
    test(`${r.role} (${r.email}): home, ${r.list}, log out`, { timeout: 120_000 }, async () => {
      await withPage(`role-${r.role}`, async (page) => {
        const response = await login(page, server.url, r.email);
        assert.ok(response, 'logging in navigates');
        assert.ok(response.status() < 400, `home page answers ${response.status()}`);
        assert.notEqual(new URL(page.url()).pathname, '/login', 'login leaves /login');

        // Home page: a heading, a navigation landmark, the user's display name.
        await page.locator('h1').first().waitFor({ state: 'visible' });
        await page.getByRole('navigation').first().waitFor({ state: 'visible' });
        await page.locator('#current-user').waitFor({ state: 'visible' });
        assert.match(await text(page, '#current-user'), new RegExp(r.name));
        await shot(page, `home-${r.role}`);

        // The role's list page.
        const list = await page.goto(`${server.url}${r.list}`);
        assert.equal(list.status(), 200, `${r.list} answers 200`);
        if (r.role === 'consultant') {
          await page.locator('h1').first().waitFor({ state: 'visible' });
        } else {
          await page.locator('table').first().waitFor({ state: 'visible' });
        }
        await shot(page, `list-${r.role}`);

        if (r.role === 'client_contact') {
          // A client contact sees his company's invoices only, and no
          // directory of the firm's companies and contacts.
          const table = await page.locator('table').first().innerText();
          assert.doesNotMatch(table, /Horizon/, 'no Banque Horizon invoice is listed');
          assert.equal((await page.goto(`${server.url}/contacts`)).status(), 403);
          await page.goto(`${server.url}/`);
        }

        // Log out: back on the login page, and the session is gone.
        await clickAndWait(page, '#logout');
        await expectLoginPage(page);
        assert.match(new URL(page.url()).pathname, /^\/login/, 'logging out shows /login');
        await page.goto(`${server.url}${r.list}`);
        await expectLoginPage(page);
      });
    });
  }
});

test('a consultant gets the French 403 page on /companies', { timeout: 60_000 }, async () => {
  await withPage('forbidden-consultant', async (page) => {
    await login(page, server.url, role('consultant').email);
    await page.locator('#current-user').waitFor({ state: 'visible' });
    const response = await page.goto(`${server.url}/companies`);
    assert.equal(response.status(), 403);
    await page.locator('h1').first().waitFor({ state: 'visible' });
    assert.match(await text(page, 'h1'), /Accès refusé/);
    await shot(page, 'forbidden-consultant');
  });
});

test('a wrong password shows the generic French message', { timeout: 60_000 }, async () => {
  await withPage('login-error-fr', async (page) => {
    await login(page, server.url, role('admin').email, 'not-the-password');
    const alert = page.locator('[role=alert]').first();
    await alert.waitFor({ state: 'visible' });
    const message = (await alert.innerText()).trim();
    assert.match(message, /Identifiants incorrects/);
    await expectLoginPage(page);
    await shot(page, 'login-error-fr');

    // The same message for an unknown address: it says nothing of who has an account.
    await login(page, server.url, 'personne@stafforia.example', 'not-the-password');
    await page.locator('[role=alert]').first().waitFor({ state: 'visible' });
    assert.equal((await page.locator('[role=alert]').first().innerText()).trim(), message);
    await expectLoginPage(page);
  });
});

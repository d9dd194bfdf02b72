// The account plan of the demo's key account in the browser: the business
// manager opens it from Clientis Group's page, finds its domains and its
// buyer as decision maker, adds a domain, and a negative revenue target
// is refused with the message beside the field.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { clickAndWait, diagnose, launchBrowser, login, newPage, role, shot, startServer } from '../lib/server.mjs';

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

test('Clientis Group\'s account plan: a domain added, a negative target refused', { timeout: 90_000 }, async () => {
  const { context, page } = await newPage(browser);
  await diagnose(page, server, 'account-plan', async () => {
    await login(page, server.url, role('business_manager').email);
    await page.goto(`${server.url}/companies`);
    await clickAndWait(page, page.locator('a', { hasText: 'Clientis Group' }).first());
    await clickAndWait(page, page.locator('#company-account-plan'));
    assert.match(await page.locator('h1').innerText(), /Plan de compte/);
    const domains = page.locator('#account-plan-domains');
    assert.match(await domains.innerText(), /Data/);
    assert.match(await domains.innerText(), /Marc Lefèvre/);
    const makers = await page.locator('#account-plan-decision-makers').innerText();
    assert.match(makers, /Sophie Bernard/);
    assert.match(makers, /Décideur/);

    const add = page.locator('#account-plan-new-domain');
    await add.locator('summary').click();
    await add.locator('input[name=name]').fill('Finance IT');
    await add.locator('select[name=status]').selectOption('target');
    await add.locator('textarea[name=stakes]').fill('Refonte de la consolidation');
    await clickAndWait(page, add.locator('button[type=submit]'));
    assert.match(await page.locator('[role=status]').innerText(), /Plan de compte enregistré/);
    assert.match(await page.locator('#account-plan-domains').innerText(), /Finance IT/);

    await page.locator('#target-revenue').fill('-1000');
    await clickAndWait(page, page.locator('#account-plan-target-form button[type=submit]'));
    assert.match(await page.locator('#target-revenue-error').innerText(), /ne peut pas être négatif/);
    assert.equal(await page.locator('#target-revenue').inputValue(), '-1000');
    await shot(page, 'account-plan-fr');
  });
  await context.close();
});

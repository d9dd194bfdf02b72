// The pipeline in the browser: the business manager moves a card of the
// kanban with the keyboard alone (plain forms, no script needed), opens
// the won opportunity's mission, and finds Lucas's renewal opportunity
// from the renewals page.

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

test('the kanban moves a card with the keyboard', { timeout: 60_000 }, async () => {
  const { context, page } = await newPage(browser);
  await diagnose(page, server, 'kanban', async () => {
    await login(page, server.url, role('business_manager').email);
    const res = await page.goto(`${server.url}/opportunities/kanban`);
    assert.equal(res.status(), 200);
    const qualification = page.locator('#stage-qualification');
    assert.match(await qualification.innerText(), /Audit de la plateforme cloud/);
    await shot(page, 'kanban-fr');
    const next = qualification
      .locator('article', { hasText: 'Audit de la plateforme cloud' })
      .locator('button[type=submit]')
      .last();
    await next.focus();
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    assert.match(await page.locator('[role=status]').innerText(), /Étape enregistrée/);
    assert.match(await page.locator('#stage-besoin_exprime').innerText(), /Audit de la plateforme cloud/);
    assert.doesNotMatch(await page.locator('#stage-qualification').innerText(), /Audit de la plateforme cloud/);
  });
  await context.close();
});

test('the won need leads to its mission, the renewal to its opportunity', { timeout: 60_000 }, async () => {
  const { context, page } = await newPage(browser);
  await diagnose(page, server, 'opportunity-won', async () => {
    await login(page, server.url, role('business_manager').email);
    await page.goto(`${server.url}/opportunities?q=data%20eng`);
    await clickAndWait(page, page.locator('#opportunities a', { hasText: 'Mission — Data Eng' }));
    const body = await page.locator('main').innerText();
    assert.match(body, /36\s000,00\s€/, 'TJM 600 € × 60 days');
    assert.match(body, /DataViz/, 'its child');
    await shot(page, 'opportunity-won-fr');
    await clickAndWait(page, page.locator('#opportunity-mission'));
    assert.match(await page.locator('h1').innerText(), /Data Engineer/);
    await page.goto(`${server.url}/renewals`);
    const row = page.locator('tr', { hasText: 'Développeur Java' });
    await clickAndWait(page, row.locator('a', { hasText: "Voir l'opportunité de renouvellement" }));
    assert.match(await page.locator('h1').innerText(), /Renouvellement — Développeur Java/);
  });
  await context.close();
});

// Missions and renewals in the browser: the business manager sees the D-60
// alert of the mission ending in 45 days and renews it; the consultant's
// portal shows his mission only; a mid-mission rate change shows two rates.

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

/** DD/MM/YYYY of today + days. */
function frenchDate(days) {
  const d = new Date(Date.now() + days * 86_400_000);
  const p = (n) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${p(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`;
}

test('the business manager renews the mission ending in 45 days', { timeout: 60_000 }, async () => {
  const { context, page } = await newPage(browser);
  await diagnose(page, server, 'renewal', async () => {
    await login(page, server.url, role('business_manager').email);
    await page.goto(`${server.url}/`);
    assert.match(await page.locator('main').innerText(), /Renouvellement J-60/, 'the task is on the home page');
    const res = await page.goto(`${server.url}/renewals`);
    assert.equal(res.status(), 200);
    const row = page.locator('tr', { hasText: 'Développeur Java' });
    await row.waitFor();
    assert.match(await row.innerText(), /J-60/);
    await shot(page, 'renewals-fr');
    await row.locator('input[name=new_end]').fill(frenchDate(45 + 180));
    await row.locator('input[name=new_tjm]').fill('580');
    await clickAndWait(page, row.locator('form[action$="/renew"] button[type=submit]'));
    assert.match(await page.locator('[role=status]').innerText(), /renouvelée/);
    await page.goto(`${server.url}/missions`);
    const mission = page.locator('tr', { hasText: 'Développeur Java' });
    assert.match(await mission.innerText(), /Prolongée/);
    await clickAndWait(page, mission.locator('a').first());
    const body = await page.locator('main').innerText();
    assert.match(body, /550,00\s€/, 'the old rate stays for the past');
    assert.match(body, /580,00\s€/, 'the new rate for the renewed period');
    await shot(page, 'mission-renewed-fr');
  });
  await context.close();
});

test("the consultant's portal lists only his missions", { timeout: 60_000 }, async () => {
  const { context, page } = await newPage(browser);
  await diagnose(page, server, 'portal', async () => {
    await login(page, server.url, role('consultant').email);
    const main = await page.locator('main').innerText();
    assert.match(main, /Mes missions/);
    assert.match(main, /Data Engineer/);
    assert.doesNotMatch(main, /Développeur Java/);
    await page.setViewportSize({ width: 390, height: 844 });
    await shot(page, 'portal-consultant-phone');
  });
  await context.close();
});

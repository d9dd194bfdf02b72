// Each role's home page on a desktop and on a 390 px phone: its tiles, each
// a link to the list behind it, no horizontal scroll on the phone. The
// menu: grouped by the trade on a desktop, behind one button on a phone,
// usable with the keyboard alone. The client's invoices in his portal.

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

const PHONE = {
  locale: 'fr-FR',
  timezoneId: 'Europe/Paris',
  viewport: { width: 390, height: 844 },
  isMobile: true,
  hasTouch: true,
};

/** Runs `fn(page)` in a fresh context (desktop, or the phone's), with diagnostics. */
async function withPage(name, phone, fn) {
  const { context, page } = phone
    ? await (async () => {
        const context = await browser.newContext(PHONE);
        context.setDefaultTimeout(20_000);
        return { context, page: await context.newPage() };
      })()
    : await newPage(browser);
  try {
    await diagnose(page, server, name, () => fn(page));
  } finally {
    await context.close();
  }
}

const scrollWidth = (page) => page.evaluate(() => document.documentElement.scrollWidth);

/** The tiles of the page: their key and link. */
const tiles = (page) =>
  page.locator('[data-tile]').evaluateAll((els) => els.map((e) => ({ key: e.dataset.tile, href: e.getAttribute('href') })));

describe('every role lands on its own home', () => {
  for (const r of ROLES) {
    test(`${r.role}: tiles linking to their lists, desktop and phone`, { timeout: 120_000 }, async () => {
      await withPage(`home-desktop-${r.role}`, false, async (page) => {
        await login(page, server.url, r.email);
        assert.equal(new URL(page.url()).pathname, '/');
        const found = await tiles(page);
        assert.ok(found.length > 0, `${r.role} has tiles`);
        assert.doesNotMatch(await page.locator('main').innerText(), /Sociétés par type/);
        await shot(page, `home-desktop-${r.role}`);
        // Every tile opens its list.
        for (const t of found) {
          const res = await page.goto(`${server.url}${t.href}`);
          assert.equal(res.status(), 200, `${r.role}: tile ${t.key} → ${t.href}`);
        }
      });
      await withPage(`home-phone-${r.role}`, true, async (page) => {
        await login(page, server.url, r.email);
        await page.locator('[data-tile]').first().waitFor({ state: 'visible' });
        const width = await scrollWidth(page);
        assert.ok(width <= 390, `${r.role}: the home page fits a phone (${width}px)`);
        // An amount never leaves its euro sign alone on a line.
        for (const n of await page.locator('.stat .n.amount').all()) {
          const box = await n.boundingBox();
          const lineHeight = await n.evaluate((e) => parseFloat(getComputedStyle(e).lineHeight) || 0);
          if (lineHeight) assert.ok(box.height < lineHeight * 1.5, `${r.role}: one line for ${await n.innerText()}`);
        }
        await shot(page, `home-phone-${r.role}`);
      });
    });
  }
});

test('the menu on a phone: one button, groups, keyboard', { timeout: 120_000 }, async () => {
  await withPage('nav-phone-admin', true, async (page) => {
    await login(page, server.url, role('admin').email);
    const button = page.locator('#menu-button');
    await button.waitFor({ state: 'visible' });
    assert.equal(await page.locator('nav.wide').isVisible(), false, 'the wide menu is hidden on a phone');
    assert.equal(await page.locator('nav.narrow').isVisible(), false, 'closed at first');
    // Keyboard only: Tab to the button, Enter opens it.
    for (let i = 0; i < 10; i += 1) {
      if (await button.evaluate((b) => b === document.activeElement)) break;
      await page.keyboard.press('Tab');
    }
    assert.ok(await button.evaluate((b) => b === document.activeElement), 'the menu button takes the focus');
    await page.keyboard.press('Enter');
    await page.locator('nav.narrow').waitFor({ state: 'visible' });
    const billing = page.locator('nav.narrow summary', { hasText: 'Facturation' });
    await billing.focus();
    await page.keyboard.press('Enter');
    const invoices = page.locator('nav.narrow a[href="/invoices"]');
    await invoices.waitFor({ state: 'visible' });
    const width = await scrollWidth(page);
    assert.ok(width <= 390, `the open menu fits a phone (${width}px)`);
    await shot(page, 'nav-phone-admin-open');
    await invoices.focus();
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]);
    assert.equal(new URL(page.url()).pathname, '/invoices');
  });
});

test('the menu on a desktop: groups by the trade', { timeout: 60_000 }, async () => {
  await withPage('nav-desktop-admin', false, async (page) => {
    await login(page, server.url, role('admin').email);
    const groups = await page.locator('nav.wide summary').allInnerTexts();
    for (const g of ['Commerce', 'Delivery', 'Facturation', 'Trésorerie', 'Administration']) {
      assert.ok(groups.some((x) => x.includes(g)), `group ${g} in ${groups}`);
    }
    await page.locator('nav.wide summary', { hasText: 'Trésorerie' }).click();
    await page.locator('nav.wide a[href="/collections/matching"]').waitFor({ state: 'visible' });
    await shot(page, 'nav-desktop-admin-open');
    await clickAndWait(page, page.locator('nav.wide a[href="/collections/matching"]'));
    assert.equal(new URL(page.url()).pathname, '/collections/matching');
    // The group of the page shown is marked.
    assert.equal(await page.locator('nav.wide summary.current').innerText().then((s) => s.trim().replace(/\s*▾$/, '')), 'Trésorerie');
  });
});

test("the client's portal: his menu, his invoices on a phone", { timeout: 120_000 }, async () => {
  await withPage('portal-invoices-phone', true, async (page) => {
    await login(page, server.url, role('client_contact').email);
    await page.locator('#menu-button').click();
    const menu = page.locator('nav.narrow');
    await menu.waitFor({ state: 'visible' });
    const links = await menu.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    assert.ok(!links.includes('/companies') && !links.includes('/contacts'), `no directory in ${links}`);
    await clickAndWait(page, menu.locator('a[href="/portal/invoices"]'));
    await page.locator('#portal-invoices').waitFor({ state: 'visible' });
    const body = await page.locator('main').innerText();
    assert.doesNotMatch(body, /Banque Horizon/);
    const width = await scrollWidth(page);
    assert.ok(width <= 390, `the invoices fit a phone (${width}px)`);
    await shot(page, 'portal-invoices-phone');
    // The PDF of the first invoice downloads.
    const href = await page.locator('#portal-invoices a[href$="/pdf"]').first().getAttribute('href');
    const res = await page.request.get(`${server.url}${href}`);
    assert.equal(res.status(), 200);
    assert.equal(res.headers()['content-type'], 'application/pdf');
  });
});

// Keyboard use: logging in without a mouse, and the skip link.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  DEMO_PASSWORD,
  diagnose,
  launchBrowser,
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

async function withPage(name, fn) {
  const { context, page } = await newPage(browser);
  try {
    await diagnose(page, server, name, () => fn(page));
  } finally {
    await context.close();
  }
}

const activeId = (page) => page.evaluate(() => document.activeElement?.id ?? '');

/** Presses Tab until the element with `id` has the focus (at most `max` times). */
async function tabTo(page, id, max = 10) {
  for (let i = 0; i <= max; i += 1) {
    if ((await activeId(page)) === id) return;
    await page.keyboard.press('Tab');
  }
  assert.fail(`#${id} is not reachable with Tab (focus is on #${await activeId(page)})`);
}

async function expectSkipLink(page) {
  const skip = page.locator('a.skip-link').first();
  assert.equal(await skip.count(), 1, 'the page has a skip link');
  assert.equal(await skip.getAttribute('href'), '#main');
  assert.equal(await page.locator('#main').count(), 1, 'the skip link target #main exists');
}

test('logging in with the keyboard only', { timeout: 60_000 }, async () => {
  await withPage('keyboard-login', async (page) => {
    await page.goto(`${server.url}/login`);
    await expectSkipLink(page);

    await tabTo(page, 'email');
    await page.keyboard.type(role('admin').email);
    await tabTo(page, 'password', 3);
    await page.keyboard.type(DEMO_PASSWORD);
    await shot(page, 'login-keyboard');
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]);

    await page.locator('#current-user').waitFor({ state: 'visible' });
    assert.match(await text(page, '#current-user'), /Alice Administratrice/);
    await expectSkipLink(page);
  });
});

// Pay stays with finance; margins reach the business manager.
//
// Finance sets the standard daily cost of Camille's grade and enters a
// raise on her employee record (her pay history and her own daily cost
// change on the page). The business manager then sees his missions'
// margins with the grade's standard cost (the note says so) and the
// 90-day forecast, and no salary, no pay history and no personal daily
// cost appear anywhere in the HTML or the JSON he receives.

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

/** `12 000,00 €` as the application writes amounts in French. */
function euros(cents) {
  const whole = Math.trunc(cents / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f');
  return `${whole},${String(cents % 100).padStart(2, '0')}\u00a0€`;
}

/** `12 000,00 €` read back into cents. */
function cents(shown) {
  const digits = shown.replace(/[^\d,]/g, '').replace(',', '.');
  return Math.round(Number(digits) * 100);
}

/** Today's date in Paris, and the previous month as `YYYY-MM`. */
function parisDates() {
  const [y, m] = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit' })
    .format(new Date())
    .split('-')
    .map(Number);
  const prevY = m === 1 ? y - 1 : y;
  const prevM = m === 1 ? 12 : m - 1;
  return {
    firstOfMonth: `01/${String(m).padStart(2, '0')}/${y}`,
    lastMonth: `${prevY}-${String(prevM).padStart(2, '0')}`,
  };
}

test('finance enters a raise; the business manager sees margins at the standard cost and no pay', { timeout: 180_000 }, async () => {
  const { firstOfMonth, lastMonth } = parisDates();
  const standard = 38_000; // 380,00 € a day for "Confirmé"
  let personalCjm;

  const { page: finance } = await newPage(browser);
  await diagnose(finance, server, 'margins-finance', async () => {
    await login(finance, server.url, role('finance').email);
    // The grade's standard daily cost.
    await finance.goto(`${server.url}/settings/cjm`);
    const grades = finance.locator('form[action="/settings/cjm/grades"]');
    await grades.locator('#field-grade').fill('Confirmé');
    await grades.locator('#field-cjm').fill('380');
    await clickAndWait(finance, grades.locator('button[type=submit]'));
    assert.match(await finance.locator('main').innerText(), /380,00/);

    // Camille's raise, from the first of this month.
    await finance.goto(`${server.url}/employees`);
    await clickAndWait(finance, finance.getByRole('link', { name: 'Camille Martin' }).first());
    const before = (await finance.locator('#cjm-today').innerText()).trim();
    assert.equal(before, euros(33_105), 'PAYROLL.md §4: 331,05 € a day');
    const form = finance.locator('form[action$="/cost-versions"]');
    await form.locator('#field-effective_from').fill(firstOfMonth);
    await form.locator('#field-annual_gross').fill('52000');
    await form.locator('#field-annual_bonuses').fill('');
    await form.locator('#field-employer_charges').fill('45');
    await form.locator('#field-mutual_insurance').fill('720');
    await form.locator('#field-meal_vouchers').fill('1308');
    await form.locator('#field-transport').fill('540');
    await clickAndWait(finance, form.locator('button[type=submit]'));
    const history = await finance.locator('main').innerText();
    assert.match(history, /52\u202f000,00/, 'the new salary in her pay history');
    personalCjm = (await finance.locator('#cjm-today').innerText()).trim();
    assert.notEqual(personalCjm, before, 'her daily cost follows the raise');
    await shot(finance, 'margins-finance-raise');
  });

  const { page: bm } = await newPage(browser);
  const received = [];
  bm.on('response', async (r) => {
    const type = r.headers()['content-type'] ?? '';
    if (type.includes('html') || type.includes('json') || type.includes('csv')) {
      try {
        received.push({ url: r.url(), body: await r.text() });
      } catch {
        /* a redirect has no body */
      }
    }
  });
  await diagnose(bm, server, 'margins-bm', async () => {
    await login(bm, server.url, role('business_manager').email);
    await bm.goto(`${server.url}/margins?by=mission&month=${lastMonth}`);
    assert.match(await bm.locator('#margin-standard-note').innerText(), /CJM standard/);
    // Camille's month: revenue at 600 € a day, cost at 380 € a day.
    const row = bm.locator('#margin-table tr', { hasText: 'Data Engineer' });
    const cells = await row.locator('td').allInnerTexts();
    const revenue = cents(cells[1]);
    const days = revenue / 60_000;
    assert.ok(Number.isInteger(days) && days > 0, `${cells[1]}`);
    assert.equal(cells[2].trim(), euros(days * standard), 'cost at the standard of her grade');
    assert.equal(cells[3].trim(), euros(revenue - days * standard));
    await shot(bm, 'margins-bm-standard');
    // The drill-down, the forecast, the CSV, and the same over the API.
    await clickAndWait(bm, row.locator('a').first());
    assert.match(await bm.locator('main').innerText(), /380,00/);
    await bm.goto(`${server.url}/margins/forecast`);
    assert.match(await bm.locator('#forecast-table').innerText(), /Data Engineer/);
    for (const path of [
      `/margins/export?by=mission&month=${lastMonth}`,
      '/margins/forecast/export',
      `/api/v1/margins?by=mission&from=${lastMonth}&to=${lastMonth}`,
      '/api/v1/margins/forecast',
      '/api/v1/employees',
    ]) {
      const r = await bm.request.get(`${server.url}${path}`);
      assert.equal(r.status(), 200, path);
      received.push({ url: path, body: await r.text() });
    }
    const api = JSON.parse(received.at(-3).body);
    assert.equal(api.cost_basis, 'grade_standard');
    // His employee list shows Camille, without her pay.
    await bm.goto(`${server.url}/employees`);
    await clickAndWait(bm, bm.getByRole('link', { name: 'Camille Martin' }).first());
    assert.equal(await bm.locator('#pay-title').count(), 0, 'no pay section');
  });

  await new Promise((r) => setTimeout(r, 500)); // the last bodies read
  // Nothing he received names her pay or her own daily cost, whether
  // written in French, in a form's value or as a JSON decimal. Plain digits
  // are matched as whole numbers, so an identifier that happens to hold
  // them is not taken for pay.
  const personal = (cents(personalCjm) / 100).toFixed(2);
  const whole = (n) => new RegExp(`\\b${n.replace('.', '[.,]')}\\b`);
  const forbidden = [
    whole('52000'), whole('48000'), /52[\u202f ]000/, /48[\u202f ]000/,
    whole('331.05'), whole('72168'), /72[\u202f ]168/, whole(personal),
  ];
  assert.ok(received.length >= 10, `${received.length} documents received`);
  for (const { url, body } of received) {
    for (const f of forbidden) {
      assert.ok(!f.test(body), `${url} shows ${f}: ${body.match(f)?.[0]}`);
    }
  }
});

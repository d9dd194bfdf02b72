// A follow-up meeting in the browser: the business manager plans one from
// a mission's page, holds it with its minutes (the series' next meeting
// is planned), creates the child opportunity from its note in one click,
// finds the meeting linked from the opportunity and back, and the child
// on the account's map beside the meeting it was born in.

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

/** `YYYY-MM-DD` of the day `days` from today, as a date-time field wants it. */
function isoDay(days) {
  const d = new Date(Date.now() + days * 86_400_000);
  return d.toISOString().slice(0, 10);
}

test('a meeting planned, held, and its child opportunity', { timeout: 90_000 }, async () => {
  const { context, page } = await newPage(browser);
  await diagnose(page, server, 'meeting', async () => {
    await login(page, server.url, role('business_manager').email);
    await page.goto(`${server.url}/missions`);
    const mission = page.locator('tr', { hasText: 'Développeur Java' });
    await clickAndWait(page, mission.locator('a').first());
    await clickAndWait(page, page.locator('#meetings-block-plan'));
    assert.match(await page.locator('h1').innerText(), /Planifier un rendez-vous/);
    await page.locator('#field-planned_at').fill(`${isoDay(14)}T10:00`);
    await page.locator('#field-recurrence').selectOption('monthly');
    await page.locator('#contacts-box input[type=checkbox]').first().check();
    await clickAndWait(page, page.locator('form.stacked button[type=submit]'));
    assert.match(await page.locator('[role=status]').innerText(), /Rendez-vous planifié/);
    assert.match(await page.locator('#meeting-status').innerText(), /Prévu/);
    await shot(page, 'meeting-planned-fr');

    // Held without minutes: refused beside the field.
    await clickAndWait(page, page.locator('#meeting-hold'));
    assert.match(await page.locator('#field-note-error').innerText(), /compte rendu est obligatoire/);
    await page.locator('#field-note').fill('Point mensuel. Nouveau besoin : une équipe QA pour la banque en ligne.');
    await page.locator('#field-decisions').fill('Proposer deux profils QA.');
    await clickAndWait(page, page.locator('#meeting-hold'));
    assert.match(await page.locator('[role=status]').innerText(), /Le suivant est planifié/);
    assert.match(await page.locator('#meeting-status').innerText(), /Tenu/);
    assert.match(await page.locator('#meeting-next').innerText(), /10:00/);
    await shot(page, 'meeting-held-fr');
    const meetingUrl = page.url();

    await clickAndWait(page, page.locator('#meeting-child'));
    assert.match(page.url(), /\/opportunities\//);
    assert.match(await page.locator('h1').innerText(), /Besoin issu du RDV du/);
    const body = await page.locator('main').innerText();
    assert.match(body, /équipe QA/, 'the note becomes the need');
    assert.match(body, /RDV de suivi/, 'its source');
    const opportunityUrl = page.url();
    await shot(page, 'meeting-child-fr');
    await clickAndWait(page, page.locator('#opportunity-meeting'));
    assert.equal(page.url(), meetingUrl);
    const child = page.locator('#meeting-children a').first();
    assert.equal(new URL(await child.getAttribute('href'), server.url).href, opportunityUrl);

    // The account map shows the child where it was born: its meeting
    // linked beside it, and counted among the account's foisonnement.
    await page.goto(opportunityUrl);
    await clickAndWait(page, page.locator('#opportunity-account-map'));
    const node = page.locator('#account-map-tree li', {
      has: page.locator(`a[href="${new URL(opportunityUrl).pathname}"]`),
    });
    assert.equal(await node.count(), 1, 'the child is on the map');
    const born = node.locator(`a[href="${new URL(meetingUrl).pathname}"]`);
    assert.equal(await born.count(), 1, 'beside the meeting it was born in');
    assert.ok(Number(await page.locator('#account-map-born').innerText()) >= 1);
    await shot(page, 'meeting-account-map-fr');
  });
  await context.close();
});

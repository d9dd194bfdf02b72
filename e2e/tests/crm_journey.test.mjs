// The whole CRM path through the forms, as the demo's business manager:
// a need typed in the opportunity form (a TJM range the wrong way round
// refused beside its field, the typed values kept), moved along the
// kanban with its buttons to "Proposition", a follow-up meeting of
// Clientis's mission held and its note made a child opportunity, both
// needs on the client's account map, then the need won from its page and
// the mission made from it opened, filled in from the opportunity. A
// second win (a stale tab) lands on the same mission: one mission only.
// Also the saved view of the list and the mission's activities.

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

/** A Monday about `days` from today, as `DD/MM/YYYY` and its parts. */
function mondayIn(days) {
  const d = new Date(Date.now() + days * 86_400_000);
  d.setUTCDate(d.getUTCDate() + ((8 - d.getUTCDay()) % 7));
  const dd = String(d.getUTCDate()).padStart(2, '0');
  const mm = String(d.getUTCMonth() + 1).padStart(2, '0');
  return `${dd}/${mm}/${d.getUTCFullYear()}`;
}

/** The value of the option of `select` whose text holds `text`. */
async function optionOf(page, select, text) {
  return page.locator(`${select} option`, { hasText: text }).first().getAttribute('value');
}

const TITLE = 'Tech Lead — paiements instantanés';

test('a need typed, moved, won and become its mission', { timeout: 180_000 }, async () => {
  const { context, page } = await newPage(browser);
  await diagnose(page, server, 'crm-journey', async () => {
    await login(page, server.url, role('business_manager').email);
    const start = mondayIn(300);

    // The form: a TJM range the wrong way round is refused beside the
    // field, every typed value kept.
    await page.goto(`${server.url}/opportunities/new`);
    await page.locator('#field-title').fill(TITLE);
    const clientis = page.locator('#field-client_id option', { hasText: /^Clientis Group$/ }).first();
    await page.locator('#field-client_id').selectOption(await clientis.getAttribute('value'));
    await page.locator('#field-tjm_min').fill('750');
    await page.locator('#field-tjm_max').fill('700');
    await page.locator('#field-start_date').fill(start);
    await page.locator('#field-days').fill('40');
    await page.locator('#field-positions').fill('2');
    await clickAndWait(page, page.locator('form.stacked button[type=submit]').last());
    assert.match(await page.locator('#field-tjm_max-error').innerText(), /au moins égal au minimum/);
    assert.equal(await page.locator('#field-title').inputValue(), TITLE);
    assert.equal(await page.locator('#field-tjm_min').inputValue(), '750');
    assert.equal(await page.locator('#field-tjm_max').inputValue(), '700');
    assert.equal(await page.locator('#field-start_date').inputValue(), start);
    assert.equal(await page.locator('#field-days').inputValue(), '40');
    assert.equal(await page.locator('#field-positions').inputValue(), '2');
    await shot(page, 'crm-journey-tjm-refused-fr');
    await page.locator('#field-tjm_max').fill('800');
    await clickAndWait(page, page.locator('form.stacked button[type=submit]').last());
    assert.match(page.url(), /\/opportunities\/[0-9a-f-]{36}$/);
    assert.match(await page.locator('h1').innerText(), /Tech Lead/);
    // 750 € (the bottom of the range) × 40 days × 2 positions.
    assert.match(await page.locator('#opportunity-expected').innerText(), /60\s000,00\s€/);
    const opportunityUrl = page.url();
    const opportunityPath = new URL(opportunityUrl).pathname;

    // The kanban's buttons, column after column, to "Proposition".
    await page.goto(`${server.url}/opportunities/kanban`);
    for (const [from, to] of [
      ['qualification', 'besoin_exprime'],
      ['besoin_exprime', 'positionnement'],
      ['positionnement', 'proposition'],
    ]) {
      const card = page.locator(`#stage-${from} article`, { hasText: TITLE });
      await clickAndWait(page, card.locator('button[type=submit]').last());
      assert.match(await page.locator(`#stage-${to}`).innerText(), /Tech Lead/, `moved to ${to}`);
    }
    await shot(page, 'crm-journey-kanban-fr');
    await page.goto(opportunityUrl);
    assert.match(await page.locator('#opportunity-stage').innerText(), /Proposition/);

    // The next follow-up meeting of Clientis's mission, held; its note
    // becomes a child opportunity in one click.
    await page.goto(`${server.url}/missions`);
    await clickAndWait(page, page.locator('tr', { hasText: 'Data Engineer' }).locator('a').first());
    const missionUrl = page.url();
    // The mission's activities: the call logged about it, a new one
    // prefilled with the mission and its client.
    assert.match(await page.locator('#mission-activities').innerText(), /responsable de domaine/);
    const newActivity = await page.locator('#mission-activity-new').getAttribute('href');
    assert.match(newActivity, /mission=[0-9a-f-]{36}&company=[0-9a-f-]{36}/);
    await clickAndWait(page, page.locator('#meetings-block-next'));
    await page.locator('#field-note').fill('Point mensuel. Nouveau besoin : un architecte pour la migration cloud.');
    await clickAndWait(page, page.locator('#meeting-hold'));
    assert.match(await page.locator('#meeting-status').innerText(), /Tenu/);
    await clickAndWait(page, page.locator('#meeting-child'));
    assert.match(await page.locator('main').innerText(), /architecte/);
    const childPath = new URL(page.url()).pathname;

    // Both needs on the client's account map.
    await page.goto(opportunityUrl);
    await clickAndWait(page, page.locator('#opportunity-account-map'));
    const tree = page.locator('#account-map-tree');
    assert.equal(await tree.locator(`a[href="${opportunityPath}"]`).count(), 1, 'the typed need');
    assert.equal(await tree.locator(`a[href="${childPath}"]`).count(), 1, 'the meeting\'s child');
    await shot(page, 'crm-journey-account-map-fr');

    // Won from its page: the mission made from it opens, filled in.
    const stale = await context.newPage();
    await stale.goto(opportunityUrl);
    await page.goto(opportunityUrl);
    await page.locator('#win-consultant').selectOption(await optionOf(page, '#win-consultant', 'Lucas Petit'));
    await clickAndWait(page, page.locator('form[action$="/win"] button[type=submit]'));
    assert.match(page.url(), /\/missions\/[0-9a-f-]{36}$/);
    assert.notEqual(page.url(), missionUrl);
    const wonMission = page.url();
    assert.match(await page.locator('h1').innerText(), /Tech Lead/);
    const facts = await page.locator('dl.facts').innerText();
    assert.match(facts, /Clientis/, 'the client');
    assert.match(facts, /800,00\s€/, 'the top of the range');
    assert.match(facts, new RegExp(start), 'the start date');
    assert.match(facts, /Lucas Petit/);
    assert.equal(await page.locator('#mission-opportunity-origin').count(), 1);
    await shot(page, 'crm-journey-mission-fr');

    // The stale tab wins again: the same mission, not a second one.
    await stale.locator('#win-consultant').selectOption(await optionOf(stale, '#win-consultant', 'Lucas Petit'));
    await clickAndWait(stale, stale.locator('form[action$="/win"] button[type=submit]'));
    assert.equal(stale.url(), wonMission);
    await stale.close();
    await page.goto(opportunityUrl);
    assert.equal(await page.locator('#opportunity-mission').count(), 1);
    assert.equal(new URL(await page.locator('#opportunity-mission').getAttribute('href'), server.url).href, wonMission);
    await page.goto(`${server.url}/missions`);
    assert.equal(await page.locator('tr', { hasText: 'Tech Lead' }).count(), 1, 'one mission');
  });
  await context.close();
});

test('the saved view of the list opens, marked, and a new one is refused without a name', { timeout: 60_000 }, async () => {
  const { context, page } = await newPage(browser);
  await diagnose(page, server, 'opportunity-views', async () => {
    await login(page, server.url, role('business_manager').email);
    await page.goto(`${server.url}/opportunities`);
    const tab = page.locator('#opportunity-views a', { hasText: 'Mes besoins à positionner' });
    await clickAndWait(page, tab);
    assert.equal(await tab.getAttribute('aria-current'), 'page');
    assert.match(page.url(), /stage=positionnement/);
    await shot(page, 'opportunity-views-fr');
    await page.locator('#opportunity-views-manage summary').click();
    await page.locator('#view-name').fill('Mes besoins à positionner');
    await clickAndWait(page, page.locator('#opportunity-view-save button[type=submit]'));
    assert.match(await page.locator('#view-name-error').innerText(), /déjà une vue de ce nom/);
    await page.locator('#view-name').fill('Positionnement — par défaut');
    await page.locator('#view-default').check();
    await clickAndWait(page, page.locator('#opportunity-view-save button[type=submit]'));
    await page.goto(`${server.url}/opportunities`);
    assert.match(page.url(), /stage=positionnement/, 'the default opens');
    await clickAndWait(page, page.locator('#opportunity-view-all'));
    assert.equal(await page.locator('#opportunity-view-all').getAttribute('aria-current'), 'page');
  });
  await context.close();
});

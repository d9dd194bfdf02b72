// Helpers shared by the browser tests: start the app, drive Debian's Chromium,
// log in, take screenshots.
//
// Environment:
//   REGISSEUR_BIN      the regisseur binary (default: ../target/debug/regisseur,
//                      relative to e2e/; $CARGO_TARGET_DIR/debug/regisseur when set)
//   E2E_DATABASE_URL   database for the app (e.g. a PostgreSQL URL); default is a
//                      fresh SQLite file in a new temporary folder per test file
//   E2E_SCREENSHOTS    folder for screenshots (default: e2e/screenshots/)
//   E2E_CHROMIUM       browser executable (default: /usr/bin/chromium)
//   E2E_SERVER_LOG=1   echo the app's output to stderr while the tests run

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const E2E_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The password every demo account shares. */
export const DEMO_PASSWORD = 'regisseur-demo';

/** Every demo role, its login, its display name and its list page. */
export const ROLES = [
  { role: 'admin', email: 'admin@stafforia.example', name: 'Alice Administratrice', list: '/users' },
  { role: 'direction', email: 'direction@stafforia.example', name: 'Denis Directeur', list: '/companies' },
  { role: 'business_manager', email: 'bm@stafforia.example', name: 'Bruno Marchand', list: '/companies' },
  { role: 'delivery_manager', email: 'delivery@stafforia.example', name: 'Delphine Leroy', list: '/contacts' },
  { role: 'recruiter', email: 'recrutement@stafforia.example', name: 'Rachid Benali', list: '/contacts' },
  { role: 'finance', email: 'finance@stafforia.example', name: 'Fanny Comptable', list: '/companies' },
  { role: 'consultant', email: 'camille.martin@stafforia.example', name: 'Camille Martin', list: '/account' },
  { role: 'client_contact', email: 'sophie.bernard@clientis.example', name: 'Sophie Bernard', list: '/portal/invoices' },
];

export function role(name) {
  const r = ROLES.find((x) => x.role === name);
  if (!r) throw new Error(`unknown demo role ${name}`);
  return r;
}

const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;
const LOG_LIMIT = 64 * 1024;
const URL_LINE = /^REGISSEUR_URL=(https?:\/\/\S+?)\/?\s*$/;

/** A binary of the workspace: `$override` if set, else the debug build. */
export function workspaceBin(name, override) {
  if (override) return path.resolve(override);
  const targetDir = process.env.CARGO_TARGET_DIR
    ? path.resolve(process.env.CARGO_TARGET_DIR)
    : path.resolve(E2E_DIR, '..', 'target');
  return path.join(targetDir, 'debug', name);
}

function regisseurBin() {
  return workspaceBin('regisseur', process.env.REGISSEUR_BIN);
}

// Servers still running when this process exits are killed, so that a crashed
// test file never leaves an app behind.
const live = new Set();
process.once('exit', () => {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
});

/**
 * Starts `regisseur demo --bind 127.0.0.1:0` on a fresh database and waits for
 * the line `REGISSEUR_URL=http://127.0.0.1:PORT` on its standard output;
 * `env` adds environment variables (e.g. REGISSEUR_SMTP_URL), `args` options
 * of `demo` (e.g. --key-account-pending). With `worker: false` the app runs
 * no background jobs: the test runs them with `runJobs()` when it needs their
 * effect, instead of polling for it (and no job is half done by the app's
 * own worker when `runJobs()` returns).
 * Returns { url, stop(), logs(), runJobs() }.
 */
export async function startServer({ env = {}, args = [], worker = true } = {}) {
  const bin = regisseurBin();
  if (!existsSync(bin)) {
    throw new Error(
      `regisseur binary not found at ${bin}: build it with \`cargo build -p regisseur\` ` +
        'or point REGISSEUR_BIN at it.',
    );
  }

  const tmp = await mkdtemp(path.join(tmpdir(), 'regisseur-e2e-'));
  const databaseUrl = process.env.E2E_DATABASE_URL || `sqlite://${tmp}/e2e.db?mode=rwc`;
  const echo = process.env.E2E_SERVER_LOG === '1';

  const appEnv = { ...process.env, DATABASE_URL: databaseUrl, RUST_LOG: 'warn', ...env };
  if (!worker) appEnv.REGISSEUR_NO_WORKER = 'true';
  const child = spawn(bin, ['demo', '--bind', '127.0.0.1:0', ...args], {
    cwd: tmp,
    env: appEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);

  let output = '';
  const record = (stream, chunk) => {
    const text = chunk.toString('utf8');
    if (echo) process.stderr.write(`[regisseur ${stream}] ${text}`);
    output += text;
    if (output.length > LOG_LIMIT) output = output.slice(-LOG_LIMIT);
  };

  let exitInfo = null;
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      live.delete(child);
      resolve(exitInfo);
    });
  });

  // Both pipes are drained for the whole life of the server: a full pipe
  // would block the app.
  child.stderr.on('data', (c) => record('stderr', c));

  const url = await new Promise((resolve, reject) => {
    let pending = '';
    let done = false;
    const finish = (err, value) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(value);
    };
    const describe = (why) =>
      new Error(
        `regisseur did not announce REGISSEUR_URL=… (${why}).\n` +
          `command: ${bin} demo --bind 127.0.0.1:0\nDATABASE_URL=${databaseUrl}\n` +
          `--- output so far ---\n${output || '(nothing)'}\n--- end of output ---`,
      );
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish(describe(`timed out after ${READY_TIMEOUT_MS / 1000} s`));
    }, READY_TIMEOUT_MS);

    child.stdout.on('data', (chunk) => {
      record('stdout', chunk);
      if (done) return;
      pending += chunk.toString('utf8');
      let nl;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl).replace(/\r$/, '');
        pending = pending.slice(nl + 1);
        const m = URL_LINE.exec(line.trim());
        if (m) return finish(null, m[1]);
      }
    });
    child.once('error', (err) => finish(describe(`could not start: ${err.message}`)));
    exited.then(({ code, signal }) =>
      finish(describe(`exited early with ${signal ? `signal ${signal}` : `code ${code}`}`)),
    );
  }).catch(async (err) => {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  });

  let stopping = null;
  async function stop() {
    if (!stopping) {
      stopping = (async () => {
        if (!exitInfo) {
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
          await exited;
          clearTimeout(timer);
        }
        await rm(tmp, { recursive: true, force: true });
        return exitInfo;
      })();
    }
    return stopping;
  }

  /**
   * Runs `regisseur worker --run-once` on the app's database, folder and
   * environment: every job due, and those they queue, until none is left.
   * Rejects when it exits non-zero (a job failed for good). Resolves with
   * its output.
   */
  async function runJobs() {
    const run = spawn(bin, ['worker', '--run-once'], {
      cwd: tmp,
      env: { ...appEnv, REGISSEUR_PUBLIC_URL: url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    run.stdout.on('data', (c) => (out += c.toString('utf8')));
    run.stderr.on('data', (c) => (out += c.toString('utf8')));
    const [code, signal] = await new Promise((resolve, reject) => {
      run.once('error', reject);
      run.once('exit', (c, s) => resolve([c, s]));
    });
    if (code !== 0) {
      throw new Error(`regisseur worker --run-once exited with ${signal || code}:\n${out}`);
    }
    return out;
  }

  return {
    url,
    stop,
    runJobs,
    /** The last 64 KiB the app printed (stdout and stderr). */
    logs: () => output,
    /** null while the app runs, then { code, signal }. */
    exitInfo: () => exitInfo,
  };
}

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** Launches Debian's Chromium (never a Playwright-downloaded browser). */
export async function launchBrowser() {
  const executablePath = process.env.E2E_CHROMIUM || '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    throw new Error(
      `${executablePath} not found: install Debian's Chromium with ` +
        '`apt-get install -y --no-install-recommends chromium`.',
    );
  }
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
}

/**
 * A fresh browser context (own cookies) as a French user in Paris would have,
 * and a page in it. Returns { context, page }.
 */
export async function newPage(browser, { locale = 'fr-FR' } = {}) {
  const context = await browser.newContext({
    locale,
    timezoneId: 'Europe/Paris',
    viewport: { width: 1280, height: 800 },
  });
  context.setDefaultTimeout(20_000);
  context.setDefaultNavigationTimeout(30_000);
  const page = await context.newPage();
  return { context, page };
}

/**
 * Clicks `target` (a selector or a locator) and waits for the navigation it
 * starts (following redirects). Returns the response of the final document.
 */
export async function clickAndWait(page, target) {
  const locator = typeof target === 'string' ? page.locator(target) : target;
  const [response] = await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    locator.click(),
  ]);
  return response;
}

/** Logs in through /login. Returns the response of the page shown after it. */
export async function login(page, url, email, password = DEMO_PASSWORD) {
  await page.goto(`${url}/login`);
  await page.locator('#email').fill(email);
  await page.locator('#password').fill(password);
  // Scoped to the login form: other forms on a page (log out, language) have
  // submit buttons too.
  return clickAndWait(page, 'form:has(#email) button[type=submit]');
}

export function screenshotsDir() {
  return process.env.E2E_SCREENSHOTS
    ? path.resolve(process.env.E2E_SCREENSHOTS)
    : path.join(E2E_DIR, 'screenshots');
}

/** Saves a full-page PNG `<name>.png` into the screenshots folder; returns its path. */
export async function shot(page, name) {
  const dir = screenshotsDir();
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, name.endsWith('.png') ? name : `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * Runs `fn`; on failure saves `FAILED-<name>.png` and adds the page URL, the
 * screenshot path and the app's recent output to the error.
 */
export async function diagnose(page, server, name, fn) {
  try {
    return await fn();
  } catch (err) {
    let extra = '';
    try {
      extra += `\npage URL: ${page.url()}`;
      extra += `\nscreenshot: ${await shot(page, `FAILED-${name}`)}`;
    } catch {
      /* the page may be gone */
    }
    if (server) {
      const exit = server.exitInfo();
      if (exit) extra += `\nthe app has EXITED: ${JSON.stringify(exit)}`;
      const logs = server.logs().slice(-4000);
      extra += `\n--- app output (last 4000 chars) ---\n${logs || '(nothing)'}`;
    }
    if (err instanceof Error) {
      err.message += extra;
      throw err;
    }
    throw new Error(String(err) + extra);
  }
}

/** The trimmed visible text of the first element matching `selector`. */
export async function text(page, selector) {
  return (await page.locator(selector).first().innerText()).trim();
}

// The local SMTP sink (`smtp-sink --dir`, built with the workspace) and a
// reader for the messages it keeps: what the app really delivered.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { workspaceBin } from './server.mjs';

function sinkBin() {
  return workspaceBin('smtp-sink', process.env.SMTP_SINK_BIN);
}

/** Starts the sink on a free port; returns { url, messages(), stop() }. */
export async function startSink() {
  const bin = sinkBin();
  if (!existsSync(bin)) {
    throw new Error(`smtp-sink not found at ${bin}: build it with \`cargo build -p mailer --bins\`.`);
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'regisseur-mail-'));
  const child = spawn(bin, ['--port', '0', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stderr.on('data', (c) => (output += c.toString('utf8')));
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`smtp-sink did not start: ${output}`)), 20_000);
    child.stdout.on('data', (c) => {
      output += c.toString('utf8');
      // The whole line: the URL ends with `?tls=none` (the sink speaks plain SMTP).
      const m = /listening on (smtps?:\/\/\S+)\r?\n/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`smtp-sink exited with ${code}: ${output}`)));
  });
  return {
    url,
    /** Every message delivered so far, decoded: { to, subject, text }. */
    async messages() {
      const files = (await readdir(dir)).filter((f) => f.endsWith('.eml'));
      files.sort((a, b) => parseInt(a, 10) - parseInt(b, 10));
      return Promise.all(files.map(async (f) => parse(await readFile(path.join(dir, f), 'utf8'))));
    },
    async stop() {
      child.kill('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Waits until a delivered message satisfies `pred`; returns it. */
export async function waitForMail(sink, pred, { timeoutMs = 30_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await sink.messages()).find(pred);
    if (found) return found;
    if (Date.now() > deadline) {
      const seen = (await sink.messages()).map((m) => `${m.to} | ${m.subject}`).join('\n');
      throw new Error(`no such e-mail within ${timeoutMs / 1000} s; delivered:\n${seen}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

function decodeWords(value) {
  // RFC 2047 encoded words (=?utf-8?b?…?= / =?utf-8?q?…?=), possibly folded.
  return value.replace(/\?=\s+=\?/g, '?==?').replace(/=\?utf-8\?([bq])\?([^?]*)\?=/gi, (_, enc, text) =>
    enc.toLowerCase() === 'b'
      ? Buffer.from(text, 'base64').toString('utf8')
      : decodeQuotedPrintable(text.replace(/_/g, ' ')),
  );
}

function decodeQuotedPrintable(text) {
  const bytes = [];
  const soft = text.replace(/=\r?\n/g, '');
  for (let i = 0; i < soft.length; i++) {
    if (soft[i] === '=' && /^[0-9A-F]{2}$/i.test(soft.slice(i + 1, i + 3))) {
      bytes.push(parseInt(soft.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(soft[i], 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** A message: headers unfolded; a single-part text body decoded. */
export function parse(raw) {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const body = raw.slice(split + 4);
  const headers = {};
  for (const line of head.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  const encoding = (headers['content-transfer-encoding'] || '7bit').toLowerCase();
  let text = body;
  if (encoding === 'base64') text = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  else if (encoding === 'quoted-printable') text = decodeQuotedPrintable(body);
  return {
    to: headers.to || '',
    cc: headers.cc || '',
    subject: decodeWords(headers.subject || ''),
    text: text.replace(/\r\n/g, '\n'),
    // The message as received, for multipart ones (files attached).
    raw,
  };
}

/** The files of a multipart message: [{ contentType, fileName, bytes }]. */
export function attachments(message) {
  const raw = message.raw;
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const m = /boundary="?([^";\r\n]+)"?/i.exec(head);
  if (!m) return [];
  const files = [];
  for (const part of raw.slice(split + 4).split(`--${m[1]}`)) {
    const end = part.indexOf('\r\n\r\n');
    if (end < 0) continue;
    const headers = part.slice(0, end).replace(/\r\n[ \t]+/g, ' ');
    if (!/content-disposition:\s*attachment/i.test(headers)) continue;
    const type = /content-type:\s*([^;\r\n]+)/i.exec(headers);
    const name = /filename="?([^";\r\n]+)"?/i.exec(headers);
    files.push({
      contentType: type ? type[1].trim() : '',
      fileName: name ? decodeWords(name[1]) : '',
      bytes: Buffer.from(part.slice(end + 4).replace(/\s+/g, ''), 'base64'),
    });
  }
  return files;
}

// What the browser tests stand on: a scratch database, a real `berth serve` started and
// `kill -9`ed like any process, users made with `berth admin create-user`, and Debian's
// chromium driven by playwright-core. Anything missing fails the run and says what to do;
// nothing is skipped.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const outputDir = process.env.BERTH_E2E_OUTPUT ?? path.join(repo, 'tests/e2e/output');
const chromiumPath = process.env.BERTH_CHROMIUM ?? '/usr/bin/chromium';

function required(name, hint) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: ${hint}`);
  return value;
}

/** Polls `condition` every 50 ms until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor(condition, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** A fresh database on the cluster of BERTH_DATABASE_URL, dropped by drop(). */
export function scratchDatabase() {
  const admin = required('BERTH_DATABASE_URL', 'run the browser tests through ./test.sh (or eval "$(scripts/services up)")');
  const name = `berth_e2e_${process.pid}_${randomBytes(3).toString('hex')}`;
  execFileSync('psql', [admin, '-qc', `CREATE DATABASE ${name}`], { stdio: 'pipe' });
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop() {
      execFileSync('psql', [admin, '-qc', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`], { stdio: 'pipe' });
    },
  };
}

/** `berth serve` as a child process in its own process group, its log in a file. */
export class BerthServer {
  constructor(databaseUrl) {
    this.binary = process.env.BERTH_BINARY ?? path.join(repo, 'build/berth');
    if (!existsSync(this.binary)) throw new Error(`no berth binary at ${this.binary}: build it first (./test.sh does)`);
    if (!existsSync(path.join(repo, 'web/dist/index.html'))) throw new Error('web/dist is not built: run scripts/build-web (./test.sh does)');
    required('BERTH_WORKSPACE_IMAGE', 'the workspace image from scripts/build-image (./test.sh sets it)');
    this.dataDir = mkdtempSync(path.join(os.tmpdir(), 'berth-e2e-'));
    this.logPath = path.join(this.dataDir, 'server.log');
    this.environment = { ...process.env, BERTH_DATABASE_URL: databaseUrl, BERTH_DATA_DIR: this.dataDir };
    this.child = null;
    this.port = null;
  }

  get origin() {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Runs a berth subcommand against the same database and data folder. */
  command(args, input) {
    return execFileSync(this.binary, args, { env: this.environment, input, stdio: ['pipe', 'pipe', 'pipe'] }).toString();
  }

  createUser(username, role, password) {
    this.command(['admin', 'create-user', '--username', username, '--role', role], `${password}\n`);
  }

  /** Starts the server (on the same port after the first start) and waits for /healthz. */
  async start() {
    this.port ??= await freePort();
    const log = openSync(this.logPath, 'a');
    this.child = spawn(this.binary, ['serve', '--listen', `127.0.0.1:${this.port}`, '--web-root', path.join(repo, 'web/dist')], {
      env: this.environment,
      stdio: ['ignore', log, log],
      detached: true,
    });
    const child = this.child;
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`berth serve exited with ${child.exitCode}:\n${this.log().slice(-4000)}`);
      try {
        const response = await fetch(`${this.origin}/healthz`);
        return response.ok;
      } catch {
        return false;
      }
    }, 60000, 'berth serve to answer /healthz');
  }

  /** kill -9: no shutdown, no flush, exactly what a crash does. */
  async killHard() {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(-child.pid, 'SIGKILL');
    await exited;
  }

  async stop() {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(child.pid, 'SIGTERM');
    const timer = setTimeout(() => process.kill(-child.pid, 'SIGKILL'), 15000);
    await exited;
    clearTimeout(timer);
  }

  log() {
    return existsSync(this.logPath) ? readFileSync(this.logPath, 'utf8') : '';
  }

  cleanup() {
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

export async function launchBrowser() {
  if (!existsSync(chromiumPath)) throw new Error(`no chromium at ${chromiumPath}: scripts/setup installs Debian's chromium`);
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * A page that records JavaScript errors — uncaught exceptions and console.error calls — and
 * server errors (any 5xx answer). The browser's own log lines about refused requests
 * ("Failed to load resource: ... 401", a WebSocket that could not connect) are not
 * JavaScript errors: a 401 before logging in and a refused socket while the server is down
 * are expected, and the tests assert on what the page shows instead.
 */
export async function openPage(browser, options = {}) {
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1200, height: 760 }, ...options.context });
  const page = await context.newPage();
  page.jsErrors = [];
  page.on('pageerror', (error) => page.jsErrors.push(`uncaught: ${error.stack ?? error.message}`));
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const text = message.text();
    if (/^Failed to load resource: the server responded with a status of [34]\d\d|^WebSocket connection to .* failed|^Failed to load resource: net::ERR_CONNECTION_REFUSED/.test(text)) return;
    page.jsErrors.push(`console.error: ${text}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 500) page.jsErrors.push(`server error: ${response.status()} ${response.url()}`);
  });
  return page;
}

/** Saves a full-page screenshot under the output folder; returns its path. */
export async function screenshot(page, name) {
  mkdirSync(outputDir, { recursive: true });
  const file = path.join(outputDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** The text of the terminal for `sessionId` (or the only one) as xterm.js holds it. */
export async function terminalText(page, sessionId) {
  return page.evaluate((sid) => {
    const terminals = window.berth?.terminals;
    if (!terminals || terminals.size === 0) return null;
    const view = sid ? terminals.get(sid) : [...terminals.values()][0];
    if (!view) return null;
    const buffer = view.term.buffer.active;
    const lines = [];
    for (let i = 0; i < buffer.length; i += 1) lines.push(buffer.getLine(i).translateToString(true));
    return lines.join('\n');
  }, sessionId ?? null);
}

export const password = (name) => `${name}-e2e-password`;

// `node bench/browser/draw.mjs [--megabytes N] [--rounds N]`: how long Chromium takes to draw
// a burst of terminal output that comes through Berth (shell → keeper → session → WebSocket →
// the UI's xterm.js, acking as it renders), against the same terminal drawing the same bytes
// written to it directly in the page (the floor: xterm.js's own parsing and rendering).
// Rounds alternate between the two; one JSON line with the medians and their ratio.
//
// Needs what ./test.sh builds (berth, web/dist, the workspace image in BERTH_WORKSPACE_IMAGE,
// tests/e2e/node_modules) and the services (`eval "$(scripts/services up)"`); BERTH_BINARY
// picks another build of berth.
import { BerthServer, launchBrowser, openPage, password, scratchDatabase, waitFor } from '../../tests/e2e/harness.mjs';

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} needs a positive whole number`);
  return value;
}

const megabytes = option('megabytes', 20);
const rounds = option('rounds', 3);
const lineBytes = 100;  // `fold -w 100`: the lines of a build log, not one endless line
const log = (text) => process.stderr.write(`bench: ${text}\n`);
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Whether a line near the cursor is exactly `text` (reading the whole scrollback is slow). */
async function shows(page, text) {
  return page.evaluate((wanted) => {
    const view = [...window.berth.terminals.values()][0];
    const buffer = view.term.buffer.active;
    const cursor = buffer.baseY + buffer.cursorY;
    for (let row = Math.max(0, cursor - 3); row <= cursor; row += 1) {
      if (buffer.getLine(row)?.translateToString(true).trimEnd() === wanted) return true;
    }
    return false;
  }, text);
}

/** Through Berth: the shell prints the burst and a marker; time until the marker is drawn. */
async function throughBerth(page, round) {
  const marker = `drawn-${round}-${6 * 7}`;
  await page.locator('.pane:not([hidden]) .xterm').click();
  await page.keyboard.type(`clear; head -c ${megabytes * 1000 * 1000} /dev/zero | tr '\\0' a | fold -w ${lineBytes}; echo; echo drawn-${round}-$((6*7))`);
  const started = performance.now();
  await page.keyboard.press('Enter');
  await waitFor(() => shows(page, marker), 600000, `${marker} on the screen`);
  return performance.now() - started;
}

/** Directly: the same bytes written to the same xterm.js in 64 KiB pieces, as a socket would. */
async function direct(page) {
  return page.evaluate(async ({ total, width }) => {
    const view = [...window.berth.terminals.values()][0];
    const line = `${'a'.repeat(width)}\r\n`;
    const piece = new TextEncoder().encode(line.repeat(Math.floor(65536 / line.length)));
    const started = performance.now();
    let last;
    for (let written = 0; written < total; written += piece.length) {
      last = new Promise((resolve) => view.term.write(piece, resolve));
    }
    await last;
    await new Promise((resolve) => requestAnimationFrame(resolve));  // and drawn
    return performance.now() - started;
  }, { total: megabytes * 1000 * 1000, width: lineBytes });
}

const database = scratchDatabase();
const server = new BerthServer(database.url);
let browser;
let workspaceId;
let page;
try {
  server.command(['migrate']);
  server.createUser('drawer', 'member', password('drawer'));
  await server.start();
  browser = await launchBrowser();
  page = await openPage(browser);
  await page.goto(`${server.origin}/login`);
  await page.getByLabel('Username').fill('drawer');
  await page.getByLabel('Password').fill(password('drawer'));
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Workspaces' }).waitFor();
  await page.getByLabel('New workspace').fill('draw-bench');
  await page.getByRole('button', { name: 'Create' }).click();
  const row = page.locator('.workspace[data-name="draw-bench"]');
  await row.locator('.badge.state-running').waitFor({ timeout: 120000 });
  workspaceId = await row.getAttribute('data-id');
  await row.getByRole('link', { name: 'Open' }).click();
  await page.waitForURL(/\/w\/[^/]+\/s\/[^/]+$/, { timeout: 60000 });
  await waitFor(async () => (await page.locator('.connection').getAttribute('data-state')) === 'connected', 60000, 'the terminal to connect');

  const berth = [];
  const floor = [];
  for (let round = 1; round <= rounds; round += 1) {
    berth.push(await throughBerth(page, round));
    log(`round ${round}: through Berth ${Math.round(berth.at(-1))} ms`);
    floor.push(await direct(page));
    log(`round ${round}: written directly ${Math.round(floor.at(-1))} ms`);
  }
  if (page.jsErrors.length) throw new Error(`the page failed: ${page.jsErrors.join('; ')}`);
  const result = {
    megabytes,
    rounds,
    berth_ms: Math.round(median(berth)),
    direct_ms: Math.round(median(floor)),
    ratio: Math.round((median(berth) / median(floor)) * 100) / 100,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
} catch (error) {
  process.exitCode = 1;
  log(`failed: ${error.stack ?? error}`);
  log(server.log().slice(-3000));
} finally {
  if (workspaceId && page) {
    await page.evaluate((id) => fetch(`/api/workspaces/${id}`, { method: 'DELETE' }), workspaceId).catch(() => {});
  }
  await browser?.close();
  await server.stop();
  server.cleanup();
  database.drop();
}

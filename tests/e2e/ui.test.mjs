// The browser UI against a real berth serve, PostgreSQL, Docker and chromium (issue 6):
// log in, create a workspace, run a command in the terminal, reload into the same shell,
// survive a kill -9 of the server, replay the session, and refuse someone else's workspace.
// Every page is screenshotted; any JavaScript error on a page fails the test it happened in.
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';

import {
  BerthServer, launchBrowser, openPage, password, scratchDatabase, screenshot, terminalText, waitFor,
} from './harness.mjs';

let database;
let server;
let browser;
let alice;            // alice's page, used across the tests in order
let workspaceId;
let sessionId;
let shellPid;
const pages = [];

async function logIn(page, username) {
  await page.goto(`${server.origin}/login`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password(username));
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL((url) => url.pathname !== '/login');
}

async function connectionState(page) {
  return page.locator('.connection').getAttribute('data-state');
}

/** Types a command as keystrokes; waits for a whole line equal to (or matching) `expected`. */
async function run(page, command, expected, timeoutMs = 15000) {
  await page.locator('.pane:not([hidden]) .xterm').click();
  await page.keyboard.type(command);
  await page.keyboard.press('Enter');
  return waitForLine(page, expected, timeoutMs);
}

/** Waits for a terminal line equal to a string or matching a RegExp; returns the match. */
async function waitForLine(page, expected, timeoutMs = 15000) {
  return waitFor(async () => {
    const text = await terminalText(page, sessionId);
    for (const line of text?.split('\n') ?? []) {
      const trimmed = line.trimEnd();
      if (typeof expected === 'string' ? trimmed === expected : expected.test(trimmed)) {
        return typeof expected === 'string' ? trimmed : trimmed.match(expected);
      }
    }
    return null;
  }, timeoutMs, `${expected} in the terminal`);
}

function countLines(text, expected) {
  return text.split('\n').filter((line) => line.trimEnd() === expected).length;
}

async function newPage(options) {
  const page = await openPage(browser, options);
  pages.push(page);
  return page;
}

before(async () => {
  database = scratchDatabase();
  server = new BerthServer(database.url);
  server.command(['migrate']);
  server.createUser('alice', 'member', password('alice'));
  server.createUser('bob', 'member', password('bob'));
  server.createUser('ada', 'admin', password('ada'));
  await server.start();
  browser = await launchBrowser();
});

afterEach(() => {
  for (const page of pages) {
    const errors = page.jsErrors.splice(0);
    assert.deepEqual(errors, [], `JavaScript errors on ${page.url()}`);
  }
});

after(async () => {
  try {
    if (workspaceId && alice) {
      await alice.evaluate((id) => fetch(`/api/workspaces/${id}`, { method: 'DELETE' }), workspaceId).catch(() => {});
    }
    await browser?.close();
    await server?.stop();
  } finally {
    if (process.exitCode) console.error(server?.log().slice(-6000));
    server?.cleanup();
    database?.drop();
  }
});

test('a member logs in, creates a workspace and sees 42 in a real terminal', async () => {
  alice = await newPage();
  await alice.goto(`${server.origin}/`);
  await alice.waitForURL(/\/login/);
  await alice.getByLabel('Username').fill('alice');
  await alice.getByLabel('Password').fill('wrong password');
  await alice.getByRole('button', { name: 'Log in' }).click();
  await alice.getByText('Wrong username or password.').waitFor();
  await screenshot(alice, 'login');

  await logIn(alice, 'alice');
  await alice.getByRole('heading', { name: 'Workspaces' }).waitFor();
  await alice.getByLabel('New workspace').fill('e2e-demo');
  await alice.getByRole('button', { name: 'Create' }).click();
  const row = alice.locator('.workspace[data-name="e2e-demo"]');
  await row.locator('.badge.state-running').waitFor({ timeout: 60000 });
  workspaceId = await row.getAttribute('data-id');
  await screenshot(alice, 'workspaces');

  await row.getByRole('link', { name: 'Open' }).click();
  await alice.waitForURL(/\/w\/[^/]+\/s\/[^/]+$/, { timeout: 60000 });
  sessionId = new URL(alice.url()).pathname.split('/').pop();
  await waitFor(async () => (await connectionState(alice)) === 'connected', 30000, 'the terminal to connect');
  // The socket is read in a worker (web/src/terminal/socket_worker.js), not silently the
  // main-thread fallback.
  assert.equal(await alice.evaluate((sid) => window.berth.terminals.get(sid).connection.socket?.inWorker, sessionId), true);
  await run(alice, 'echo $((6*7))', '42');
  await screenshot(alice, 'workspace-terminal');
});

test('links from the container open only as http(s), after the user sees the real address', async () => {
  const dialogs = [];
  const onDialog = (dialog) => { dialogs.push(dialog.message()); dialog.dismiss(); };
  alice.on('dialog', onDialog);
  const activate = (uri) => alice.evaluate(([sid, link]) =>
    window.berth.terminals.get(sid).term.options.linkHandler.activate(new MouseEvent('click'), link), [sessionId, uri]);
  assert.equal(await activate('javascript:alert(document.cookie)'), false);
  assert.equal(await activate('data:text/html,<script>alert(1)</script>'), false);
  assert.deepEqual(dialogs, [], 'no prompt for a script link: it is dropped');
  assert.equal(await activate('https://example.com/looks-safe'), false, 'dismissed, so not opened');
  assert.deepEqual(dialogs, ['Open https://example.com/looks-safe in a new tab?']);
  alice.off('dialog', onDialog);
});

test('reloading the page returns to the same shell with its output', async () => {
  shellPid = (await run(alice, 'echo "pid-$$"', /^pid-(\d+)$/))[1];

  await alice.reload();
  await waitFor(async () => (await connectionState(alice)) === 'connected', 30000, 'the terminal to reconnect after a reload');
  assert.equal(new URL(alice.url()).pathname, `/w/${workspaceId}/s/${sessionId}`);
  await waitForLine(alice, `pid-${shellPid}`);
  const restored = await terminalText(alice, sessionId);
  assert.equal(countLines(restored, '42'), 1, 'the earlier output is there, once');
  await run(alice, 'echo "again-$$"', `again-${shellPid}`);
});

test('after kill -9 of the server the page reconnects by itself and loses nothing', async () => {
  await run(alice, 'echo before-$((1+1))', 'before-2');
  await server.killHard();
  await waitFor(async () => (await connectionState(alice)) === 'reconnecting', 15000, 'the reconnecting badge');
  await alice.locator('.connection', { hasText: 'reconnecting' }).waitFor();
  await screenshot(alice, 'workspace-reconnecting');
  await server.start();
  await waitFor(async () => (await connectionState(alice)) === 'connected', 60000, 'the page to reconnect without user action');
  await run(alice, 'echo after-$((2+1)) "$$"', `after-3 ${shellPid}`, 30000);
  const text = await terminalText(alice, sessionId);
  assert.equal(countLines(text, '42'), 1, 'output from before the reload, once');
  assert.equal(countLines(text, 'before-2'), 1, 'output typed before the kill, once');
  assert.equal(countLines(text, `after-3 ${shellPid}`), 1, 'output typed after the restart, from the same shell');
});

test('terminal tabs open, rename and close sessions', async () => {
  await alice.getByRole('button', { name: '+ New terminal' }).click();
  await waitFor(async () => (await alice.locator('.tab').count()) === 2, 30000, 'a second tab');
  const second = alice.locator('.tab[aria-selected="true"]');
  const secondId = await second.getAttribute('data-session');
  assert.notEqual(secondId, sessionId);
  assert.equal(new URL(alice.url()).pathname, `/w/${workspaceId}/s/${secondId}`);
  await second.locator('.label').dblclick();
  await alice.getByLabel('Terminal name').fill('logs');
  await alice.getByLabel('Terminal name').press('Enter');
  await alice.locator('.tab', { hasText: 'logs' }).waitFor();
  await second.getByRole('button', { name: 'Close terminal' }).click();
  await waitFor(async () => (await alice.locator('.tab').count()) === 1, 15000, 'the tab to close');
  assert.equal(new URL(alice.url()).pathname, `/w/${workspaceId}/s/${sessionId}`);
});

test('the recorded session replays in the player and downloads as asciicast', async () => {
  await alice.goto(`${server.origin}/audit`);
  const row = alice.locator(`tr[data-session="${sessionId}"]`);
  await row.waitFor();
  await screenshot(alice, 'audit');
  await row.getByRole('link', { name: 'Replay' }).click();
  await alice.waitForURL(`**/audit/sessions/${sessionId}`);
  await waitFor(() => alice.evaluate(() => Boolean(window.berth?.player)), 15000, 'the player');
  const duration = await waitFor(() => alice.evaluate(() => window.berth.player.getDuration()), 15000, 'the recording to load');
  assert.ok(duration > 0, `the recording has a duration (${duration})`);
  await alice.evaluate((at) => window.berth.player.seek(at), duration);
  await waitFor(async () => {
    const text = await alice.locator('.player').innerText();
    return text.includes('after-3') && text.includes('before-2');
  }, 15000, 'the replayed output in the player');
  await screenshot(alice, 'replay');

  const cast = await alice.evaluate(async (id) => (await fetch(`/api/audit/sessions/${id}/cast?version=2`)).text(), sessionId);
  const [header, ...events] = cast.trim().split('\n').map((line) => JSON.parse(line));
  assert.equal(header.version, 2);
  const output = events.filter(([, code]) => code === 'o').map(([, , data]) => data).join('');
  assert.ok(output.includes('42\r\n') && output.includes('before-2\r\n'), 'the cast holds the output');
});

test("a member cannot open another member's workspace, and its WebSocket is refused", async () => {
  const bob = await newPage();
  await logIn(bob, 'bob');
  await bob.goto(`${server.origin}/w/${workspaceId}/s/${sessionId}`);
  await bob.getByRole('heading', { name: 'Not allowed' }).waitFor();
  await screenshot(bob, 'not-allowed');
  const socket = await bob.evaluate(({ wid, sid }) => new Promise((resolve) => {
    const ws = new WebSocket(`ws://${location.host}/api/workspaces/${wid}/sessions/${sid}/ws`);
    let opened = false;
    ws.onopen = () => { opened = true; };
    ws.onclose = (event) => resolve({ opened, code: event.code });
  }), { wid: workspaceId, sid: sessionId });
  assert.deepEqual(socket, { opened: false, code: 1006 }, 'the upgrade is refused before any frame');
  assert.equal(await bob.locator('.xterm').count(), 0, 'no terminal is drawn');
});

test('admin, settings and the phone layout render without errors', async () => {
  const ada = await newPage();
  await logIn(ada, 'ada');
  await ada.goto(`${server.origin}/admin`);
  await ada.locator(`tr[data-id="${workspaceId}"]`).waitFor();
  // The earlier tests' requests were traced, so the list is not empty; a trace's waterfall
  // has a bar per span.
  const firstTrace = ada.locator('.traces tr[data-trace]').first();
  await firstTrace.waitFor();
  await firstTrace.click();
  await ada.locator('.waterfall .bar').first().waitFor();
  await ada.locator('.waterfall .span-row').first().click();
  await ada.locator('.waterfall .span-attributes:not([hidden])').first().waitFor();
  await screenshot(ada, 'admin');
  await ada.goto(`${server.origin}/settings`);
  await ada.getByLabel('Token name').fill('e2e');
  await ada.getByRole('button', { name: 'Create token' }).click();
  await ada.locator('pre.token').waitFor();
  await ada.getByLabel('Name', { exact: true }).fill('E2E_SECRET');
  await ada.getByLabel('Value').fill('not-shown-anywhere');
  await ada.getByRole('button', { name: 'Save secret' }).click();
  await ada.locator('li[data-secret="E2E_SECRET"]').waitFor();
  assert.equal(await ada.getByText('not-shown-anywhere').count(), 0, 'a secret value is never shown');
  await screenshot(ada, 'settings');

  const phone = await newPage({ viewport: { width: 390, height: 844 }, context: { isMobile: true, hasTouch: true } });
  await logIn(phone, 'alice');
  await phone.locator('.workspace[data-name="e2e-demo"]').waitFor();
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the workspace list fits a phone screen (overflow ${overflow}px)`);
  await screenshot(phone, 'workspaces-phone');
});

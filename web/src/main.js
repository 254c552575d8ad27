// Berth's single-page UI: a tiny router over the History API. Berth serves index.html for
// every page path (/, /login, /w/..., /audit..., /admin, /settings) and the pages fetch
// their data from /api. Each page module exports render(root, context) and may return a
// cleanup function that runs when the user leaves the page.
import '@xterm/xterm/css/xterm.css';
import 'asciinema-player/dist/bundle/asciinema-player.css';
import './styles.css';

import { ApiError, get, post } from './api.js';
import { h, notice, replace } from './dom.js';
import * as adminPage from './pages/admin.js';
import * as auditPage from './pages/audit.js';
import * as loginPage from './pages/login.js';
import * as settingsPage from './pages/settings.js';
import * as workspacePage from './pages/workspace.js';
import * as workspacesPage from './pages/workspaces.js';

const routes = [
  { pattern: /^\/login$/, page: loginPage, public: true },
  { pattern: /^\/$/, page: workspacesPage },
  { pattern: /^\/w\/([^/]+)(?:\/s\/([^/]+))?\/?$/, page: workspacePage },
  { pattern: /^\/audit(?:\/sessions\/([^/]+))?\/?$/, page: auditPage },
  { pattern: /^\/admin\/?$/, page: adminPage },
  { pattern: /^\/settings\/?$/, page: settingsPage },
];

let me = null;
let leave = null;
const app = document.getElementById('app');

/** Goes to another page of the app without reloading. */
export function navigate(path, { replace: replacing = false } = {}) {
  if (replacing) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  render();
}

async function currentUser() {
  if (me) return me;
  try {
    me = await get('/api/me');
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) throw error;
    me = null;
  }
  return me;
}

async function logout() {
  try {
    await post('/api/auth/logout');
  } finally {
    me = null;
    navigate('/login');
  }
}

function header(user, path) {
  const link = (href, label) =>
    h('a', { href, 'aria-current': path === href || (href !== '/' && path.startsWith(href)) ? 'page' : null }, label);
  return h('header.top', {},
    h('a.brand', { href: '/' }, h('span.logo', { 'aria-hidden': 'true' }, '⚓'), 'Berth'),
    h('nav', {},
      link('/', 'Workspaces'),
      link('/audit', 'Audit'),
      user.role === 'admin' ? link('/admin', 'Admin') : null,
      link('/settings', 'Settings')),
    h('div.who', {},
      h('span.user', { title: `role: ${user.role}` }, user.username, h('small', {}, user.role)),
      h('button.link', { onclick: logout }, 'Log out')));
}

async function render() {
  if (leave) {
    try {
      leave();
    } catch (error) {
      console.warn('berth: leaving the page failed', error);
    }
    leave = null;
  }
  const path = location.pathname;
  const route = routes.find((candidate) => candidate.pattern.test(path));
  if (!route) {
    replace(app, h('main.page', {}, h('h1', {}, 'Not found'), h('p', {}, h('a', { href: '/' }, 'Back to your workspaces'))));
    return;
  }
  const params = path.match(route.pattern).slice(1).map((part) => part && decodeURIComponent(part));
  let user;
  try {
    user = await currentUser();
  } catch (error) {
    replace(app, h('main.page', {}, notice('error', error.message)));
    return;
  }
  if (!route.public && !user) {
    const next = path === '/' ? '' : `?next=${encodeURIComponent(path + location.search)}`;
    navigate(`/login${next}`, { replace: true });
    return;
  }
  const main = h('main.page', {});
  replace(app, route.public ? null : header(user, path), main);
  const context = {
    user,
    params,
    search: new URLSearchParams(location.search),
    navigate,
    signedIn: (who) => { me = who; },
  };
  leave = (await route.page.render(main, context)) ?? null;
}

// Links inside the app navigate without a reload; downloads and other targets are left alone.
document.addEventListener('click', (event) => {
  const anchor = event.target.closest?.('a[href]');
  if (!anchor || event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  if (anchor.target || anchor.hasAttribute('download')) return;
  const url = new URL(anchor.href, location.href);
  if (url.origin !== location.origin || url.pathname.startsWith('/api/')) return;
  event.preventDefault();
  navigate(url.pathname + url.search);
});
window.addEventListener('popstate', render);
render();

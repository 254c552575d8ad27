// A workspace: terminal tabs over its sessions (/w/{wid}/s/{sid} names the active one, so a
// reload returns to the same shell), a connection indicator per terminal, and open, rename
// and close of sessions. Terminals of tabs opened on this page stay connected while hidden.
import { ApiError, del, get, patch, post } from '../api.js';
import { h, notice, replace } from '../dom.js';
import { TerminalView } from '../terminal/view.js';
import { stateBadge } from './workspaces.js';

const state_labels = {
  connecting: 'connecting…',
  connected: 'connected',
  reconnecting: 'reconnecting…',
  recovering: 'server restarted: restoring the session…',
  exited: 'session ended',
  forbidden: 'not allowed',
  gone: 'session gone',
  revoked: 'signed out',
};

// Tests and curious users read terminals from here (window.berth.terminals.get(sid).term).
const registry = (window.berth ??= { terminals: new Map() });

export async function render(root, { params, navigate, user }) {
  const [workspaceId, requestedSession] = params;
  let workspace;
  try {
    workspace = await get(`/api/workspaces/${workspaceId}`);
  } catch (error) {
    const forbidden = error instanceof ApiError && error.status === 403;
    replace(root,
      h('div.refused', { dataset: { refused: forbidden ? 'forbidden' : 'error' } },
        h('h1', {}, forbidden ? 'Not allowed' : 'Workspace unavailable'),
        notice('error', forbidden ? 'This workspace belongs to someone else; you are not allowed to open it.'
          : error.status === 404 ? 'There is no such workspace.' : error.message),
        h('p', {}, h('a', { href: '/' }, 'Back to your workspaces'))));
    return undefined;
  }

  const views = new Map();  // session id → {view, pane, tab, state}
  let sessions = [];
  let active = null;
  const tabs = h('div.tabs', { role: 'tablist' });
  const panes = h('div.panes', {});
  const indicator = h('span.connection', { 'aria-live': 'polite' });
  const messages = h('div.messages', {});
  const titleBadge = h('span', {}, stateBadge(workspace.state));
  const searchBox = h('input.search', {
    type: 'search', placeholder: 'Search the terminal', 'aria-label': 'Search the terminal',
    onkeydown: (event) => {
      const view = views.get(active)?.view;
      if (!view || event.key !== 'Enter') return;
      if (event.shiftKey) view.search.findPrevious(searchBox.value);
      else view.search.findNext(searchBox.value);
    },
  });

  const showState = (sessionId) => {
    const entry = views.get(sessionId);
    if (sessionId !== active || !entry) return;
    indicator.dataset.state = entry.state;
    indicator.textContent = state_labels[entry.state] ?? entry.state;
  };

  const tabLabel = (session, index) => session.name || `Terminal ${index + 1}`;

  const drawTabs = () => {
    const open = sessions.filter((session) => session.state === 'open' || views.has(session.id));
    replace(tabs,
      open.map((session, index) => {
        const label = h('span.label', { title: 'Double-click to rename' }, tabLabel(session, open.length - 1 - index));
        label.addEventListener('dblclick', () => renameTab(session, label));
        return h('div.tab', {
          role: 'tab',
          'aria-selected': String(session.id === active),
          dataset: { session: session.id },
          onclick: (event) => { if (!event.target.closest('button, input') && session.id !== active) activate(session.id); },
        }, label, h('button.close', { 'aria-label': 'Close terminal', title: 'Close (ends the shell)', onclick: () => closeTab(session) }, '×'));
      }).reverse(),
      h('button.new-tab', { onclick: openSession, title: 'New terminal' }, '+ New terminal'));
  };

  const renameTab = (session, label) => {
    const input = h('input.rename', { value: session.name || label.textContent, maxlength: 64, 'aria-label': 'Terminal name' });
    let finished = false;  // Enter, Escape and the blur that follows them finish once
    const finish = async (save) => {
      if (finished) return;
      finished = true;
      const name = input.value.trim();
      if (save && name && name !== session.name) {
        try {
          const renamed = await patch(`/api/workspaces/${workspaceId}/sessions/${session.id}`, { name });
          session.name = renamed.name;
        } catch (error) {
          replace(messages, notice('error', error.message));
        }
      }
      drawTabs();
    };
    input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') finish(true);
      if (event.key === 'Escape') finish(false);
    });
    input.addEventListener('blur', () => finish(true));
    label.replaceWith(input);
    input.select();
  };

  // Switching tabs replaces the URL rather than adding history entries: Back leaves the page.
  const activate = (sessionId) => {
    active = sessionId;
    const path = `/w/${workspaceId}/s/${sessionId}`;
    if (location.pathname !== path) history.replaceState(null, '', path);
    if (!views.has(sessionId)) {
      const pane = h('div.pane', { dataset: { session: sessionId } });
      panes.append(pane);
      const entry = { pane, state: 'connecting', view: null };
      views.set(sessionId, entry);
      entry.view = new TerminalView({
        element: pane,
        workspaceId,
        sessionId,
        onState: (state) => {
          entry.state = state;
          showState(sessionId);
          if (state === 'connected') titleBadge.replaceChildren(stateBadge('running'));
        },
      });
      registry.terminals.set(sessionId, entry.view);
    }
    for (const [id, entry] of views) entry.pane.hidden = id !== sessionId;
    const view = views.get(sessionId).view;
    requestAnimationFrame(() => {
      view.fit();
      view.focus();
    });
    showState(sessionId);
    drawTabs();
  };

  async function openSession() {
    replace(messages, notice('info', 'Starting a shell…'));
    try {
      const size = views.get(active)?.view.fit() ?? { cols: 80, rows: 24 };
      const session = await post(`/api/workspaces/${workspaceId}/sessions`, { cols: size.cols, rows: size.rows });
      sessions.unshift(session);
      replace(messages);
      activate(session.id);
    } catch (error) {
      replace(messages, notice('error', error.code === 'quota_exceeded' ? `Limit reached: ${error.message}` : error.message));
    }
  }

  async function closeTab(session) {
    try {
      await del(`/api/workspaces/${workspaceId}/sessions/${session.id}`);
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) {
        replace(messages, notice('error', error.message));
        return;
      }
    }
    const entry = views.get(session.id);
    entry?.view.dispose();
    entry?.pane.remove();
    views.delete(session.id);
    registry.terminals.delete(session.id);
    session.state = 'closed';
    const next = sessions.find((candidate) => candidate.state === 'open');
    if (next) activate(next.id);
    else {
      active = null;
      history.replaceState(null, '', `/w/${workspaceId}`);
      drawTabs();
      indicator.textContent = '';
    }
  }

  replace(root,
    h('div.workspace-bar', {},
      h('a.back', { href: '/', 'aria-label': 'All workspaces' }, '←'),
      h('h1', {}, workspace.name),
      titleBadge,
      indicator,
      searchBox),
    messages,
    tabs,
    panes);
  root.classList.add('terminal-page');

  if (user.role === 'auditor') {
    replace(messages, notice('info', 'Auditors replay sessions from the Audit page; live terminals are for the workspace owner.'));
    return undefined;
  }
  try {
    sessions = (await get(`/api/workspaces/${workspaceId}/sessions`)).sessions;
  } catch (error) {
    replace(messages, notice('error', error.message));
    return undefined;
  }
  const wanted = requestedSession && sessions.find((session) => session.id === requestedSession);
  if (requestedSession && !wanted) {
    replace(messages, notice('error', 'That terminal session does not belong to this workspace.'));
  } else if (wanted) {
    activate(wanted.id);
  } else {
    const newest = sessions.find((session) => session.state === 'open');
    if (newest) activate(newest.id);
    // Only the owner's visit opens a shell by itself: anyone else's would start a shell in
    // the owner's container that they never asked for.
    else if (workspace.owner_id === user.id) await openSession();
    else replace(messages, notice('info', 'No terminal is open in this workspace. “+ New terminal” opens one in its owner’s container, with the owner’s secrets.'));
  }
  drawTabs();

  return () => {
    for (const [id, entry] of views) {
      entry.view.dispose();
      registry.terminals.delete(id);
    }
    views.clear();
  };
}

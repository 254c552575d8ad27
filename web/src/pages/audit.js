// Audit: the timeline of who did what (GET /api/audit, filterable, newest first) and the
// recorded terminal sessions, each replayable in asciinema-player with seek and speed and
// downloadable as an asciicast file. Auditors and admins see everything; members their own.
import { get, query } from '../api.js';
import { bytes, h, notice, replace, when } from '../dom.js';

const known_actions = [
  'WorkspaceCreated', 'ContainerProvisioned', 'WorkspaceStarted', 'WorkspaceStopped', 'WorkspaceRenamed',
  'WorkspaceStarred', 'WorkspaceUnstarred', 'WorkspaceFailed', 'ContainerLost', 'WorkspaceDeleteRequested',
  'WorkspaceDeleted', 'SessionOpened', 'SessionRenamed', 'SessionResized', 'ClientAttached', 'ClientDetached',
  'SessionClosed', 'UserCreated', 'UserRoleChanged', 'UserPasswordChanged', 'UserLoggedIn', 'UserLoginFailed', 'UserLoggedOut', 'UserDisabled', 'UserEnabled',
  'ApiTokenCreated', 'ApiTokenRevoked', 'SecretSet', 'SecretDeleted', 'TemplateCreated', 'TemplateUpdated',
  'TemplateDeleted', 'LimitsSet',
];

const toMs = (value) => (value ? new Date(value).getTime() : undefined);

export async function render(root, context) {
  const [sessionId] = context.params;
  if (sessionId) return renderReplay(root, sessionId);
  return renderTimeline(root, context);
}

async function renderTimeline(root, { search }) {
  const field = (name, attributes = {}) => h('input', { name, value: search.get(name) ?? '', ...attributes });
  const user = field('user', { placeholder: 'username' });
  const workspace = field('workspace', { placeholder: 'workspace id' });
  const action = field('action', { placeholder: 'e.g. SessionOpened', list: 'audit-actions' });
  const since = field('since', { type: 'datetime-local' });
  const until = field('until', { type: 'datetime-local' });
  const messages = h('div.messages', {});
  const entries = h('tbody', {});
  const sessionRows = h('tbody', {});
  const more = h('button', { hidden: true }, 'Load older');
  let nextBefore = null;

  const filters = () => ({
    user: user.value.trim(),
    workspace: workspace.value.trim(),
    action: action.value.trim(),
    since: toMs(since.value),
    until: toMs(until.value),
  });

  const entryRow = (entry) => h('tr', { dataset: { action: entry.action } },
    h('td.nowrap', {}, when(entry.at_ms)),
    h('td', {}, entry.actor_name ?? entry.actor ?? '—'),
    h('td', {}, h('code', {}, entry.action)),
    h('td', {}, `${entry.resource_type} `, h('code.id', { title: entry.resource_id }, entry.resource_id.slice(-8))),
    h('td', {}, entry.address ?? ''),
    h('td', {}, entry.trace_id ? h('code.id', { title: entry.trace_id }, entry.trace_id.slice(-8)) : ''),
    h('td', {}, h('details', {}, h('summary', {}, 'details'), h('pre', {}, JSON.stringify(entry.details, null, 2)))));

  const sessionRow = (session) => h('tr', { dataset: { session: session.id } },
    h('td.nowrap', {}, when(session.opened_ms)),
    h('td', {}, session.username ?? session.user_id),
    h('td', {}, session.workspace_name ?? session.workspace_id),
    h('td', {}, session.name || '—'),
    h('td', {}, session.state === 'open' ? h('span.badge.state-running', {}, 'open') : `closed (${session.close_reason ?? '?'})`),
    h('td', {}, bytes(session.output_bytes)),
    h('td.nowrap', {},
      h('a.button.primary', { href: `/audit/sessions/${session.id}` }, 'Replay'),
      ' ',
      h('a.button', { href: `/api/audit/sessions/${session.id}/cast?version=2`, download: `berth-session-${session.id}.cast` }, '.cast')));

  const load = async (append) => {
    const params = filters();
    try {
      const answer = await get(`/api/audit${query({ ...params, before: append ? nextBefore : undefined, limit: 100 })}`);
      if (!append) replace(entries);
      entries.append(...answer.entries.map(entryRow));
      nextBefore = answer.next_before;
      more.hidden = nextBefore === null || nextBefore === undefined;
      if (!append) {
        const found = await get(`/api/audit/sessions${query({ user: params.user, workspace: params.workspace, limit: 50 })}`);
        replace(sessionRows, found.sessions.map(sessionRow));
        if (found.sessions.length === 0) sessionRows.append(h('tr', {}, h('td', { colspan: 7 }, 'No sessions match.')));
      }
      replace(messages);
    } catch (error) {
      replace(messages, notice('error', error.message));
    }
  };
  more.addEventListener('click', () => load(true));

  const form = h('form.filters.card', {
    onsubmit: (event) => {
      event.preventDefault();
      const params = filters();
      history.replaceState(null, '', `/audit${query({ user: params.user, workspace: params.workspace, action: params.action, since: since.value, until: until.value })}`);
      load(false);
    },
  },
  h('label', {}, 'User', user),
  h('label', {}, 'Workspace', workspace),
  h('label', {}, 'Action', action),
  h('label', {}, 'From', since),
  h('label', {}, 'To', until),
  h('datalist', { id: 'audit-actions' }, known_actions.map((name) => h('option', { value: name }))),
  h('button.primary', { type: 'submit' }, 'Filter'));

  replace(root,
    h('h1', {}, 'Audit'),
    form,
    messages,
    h('h2', {}, 'Terminal sessions'),
    h('div.table-scroll', {}, h('table.sessions', {},
      h('thead', {}, h('tr', {}, ['Opened', 'User', 'Workspace', 'Name', 'State', 'Output', ''].map((title) => h('th', {}, title)))),
      sessionRows)),
    h('h2', {}, 'Timeline'),
    h('div.table-scroll', {}, h('table.timeline', {},
      h('thead', {}, h('tr', {}, ['When', 'Who', 'Action', 'Resource', 'Address', 'Trace', ''].map((title) => h('th', {}, title)))),
      entries)),
    more);
  await load(false);
  return undefined;
}

async function renderReplay(root, sessionId) {
  const castUrl = (version) => `/api/audit/sessions/${sessionId}/cast?version=${version}`;
  const stage = h('div.player', {});
  const messages = h('div.messages', {});
  const speed = h('select', { 'aria-label': 'Speed' }, [0.5, 1, 2, 4, 8].map((value) =>
    h('option', { value, selected: value === 1 }, `${value}×`)));
  let player = null;
  let AsciinemaPlayer = null;

  const mount = async (startAt = 0) => {
    player?.dispose();
    try {
      player = AsciinemaPlayer.create(castUrl(2), stage, {
        speed: Number(speed.value),
        startAt,
        idleTimeLimit: 2,
        preload: true,
        fit: 'width',
        controls: true,
      });
      (window.berth ??= { terminals: new Map() }).player = player;
    } catch (error) {
      replace(messages, notice('error', `The player failed: ${error.message}`));
    }
  };
  speed.addEventListener('change', async () => {
    const at = player ? await player.getCurrentTime() : 0;
    await mount(at);
    player.play();
  });

  replace(root,
    h('div.title-row', {},
      h('a.back', { href: '/audit' }, '← Audit'),
      h('h1', {}, 'Session replay'),
      h('code.id', {}, sessionId)),
    h('div.row.replay-controls', {},
      h('label.inline', {}, 'Speed ', speed),
      h('a.button', { href: castUrl(2), download: `berth-session-${sessionId}.cast` }, 'Download asciicast v2'),
      h('a.button', { href: castUrl(3), download: `berth-session-${sessionId}.v3.cast` }, 'Download asciicast v3')),
    messages,
    stage);

  ({ default: AsciinemaPlayer } = await import('./player.js'));
  await mount();
  return () => player?.dispose();
}

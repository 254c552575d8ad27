// Admin: users and roles, templates, quotas, every workspace with a force stop, and the
// server's recent traces with a waterfall of the one clicked.
import { del, get, patch, post, put } from '../api.js';
import { ago, confirmDialog, h, notice, replace, when } from '../dom.js';
import { duration, waterfall } from './trace_waterfall.js';
import { stateBadge } from './workspaces.js';

const mebibyte = 1024 * 1024;
const roles = ['member', 'auditor', 'admin'];

function section(title, ...children) {
  return h('section.card', {}, h('h2', {}, title), ...children);
}

function table(headers, body) {
  return h('div.table-scroll', {}, h('table', {}, h('thead', {}, h('tr', {}, headers.map((title) => h('th', {}, title)))), body));
}

function numberInput(name, value, attributes = {}) {
  return h('input', { name, type: 'number', min: 0, value: value ?? 0, ...attributes });
}

export async function render(root, { user }) {
  if (user.role !== 'admin') {
    replace(root, h('h1', {}, 'Admin'), notice('error', 'Not allowed: this page is for admins.'));
    return undefined;
  }
  const messages = h('div.messages', { 'aria-live': 'polite' });
  const say = (kind, text) => replace(messages, notice(kind, text));
  const act = async (work, done) => {
    try {
      await work();
      if (done) say('ok', done);
      await reload();
    } catch (error) {
      say('error', error.message);
    }
  };

  const users = h('tbody', {});
  const templates = h('tbody', {});
  const workspaces = h('tbody', {});
  const limitsForm = h('form.row.limits', {});
  let limitsTable = null;

  const drawUsers = (list) => replace(users, list.map((person) => h('tr', { dataset: { user: person.id } },
    h('td', {}, person.username),
    h('td', {}, h('select', {
      'aria-label': `Role of ${person.username}`,
      onchange: (event) => act(() => patch(`/api/admin/users/${person.id}`, { role: event.target.value }), `${person.username} is now ${event.target.value}.`),
    }, roles.map((role) => h('option', { value: role, selected: role === person.role }, role)))),
    h('td', {}, person.disabled ? h('span.badge.state-failed', {}, 'disabled') : h('span.badge.state-running', {}, 'active')),
    h('td', {}, ago(person.created_ms)),
    h('td', {}, h('button', {
      onclick: () => act(() => patch(`/api/admin/users/${person.id}`, { disabled: !person.disabled }),
        `${person.username} ${person.disabled ? 'enabled' : 'disabled'}.`),
    }, person.disabled ? 'Enable' : 'Disable')))));

  const templateForm = (template = {}) => {
    const limits = template.limits ?? {};
    const fields = {
      name: h('input', { name: 'name', value: template.name ?? '', required: true }),
      image: h('input', { name: 'image', value: template.image ?? '', required: true }),
      memory: numberInput('memory', Math.round((limits.memory_bytes ?? 0) / mebibyte)),
      cpus: numberInput('cpus', (limits.nano_cpus ?? 0) / 1e9, { step: 0.25 }),
      pids: numberInput('pids', limits.pids ?? 0),
      idle: numberInput('idle', Math.round((template.idle_timeout_s ?? 0) / 60)),
      sudo: h('input', { name: 'sudo', type: 'checkbox', checked: Boolean(template.sudo_allowed) }),
    };
    const body = () => ({
      name: fields.name.value.trim(),
      image: fields.image.value.trim(),
      limits: {
        memory_bytes: Number(fields.memory.value) * mebibyte,
        nano_cpus: Math.round(Number(fields.cpus.value) * 1e9),
        pids: Number(fields.pids.value),
      },
      idle_timeout_s: Number(fields.idle.value) * 60,
      sudo_allowed: fields.sudo.checked,
    });
    return h('form.row.template', {
      onsubmit: (event) => {
        event.preventDefault();
        if (template.id) act(() => put(`/api/templates/${template.id}`, body()), `Template ${fields.name.value} saved.`);
        else act(() => post('/api/templates', body()), `Template ${fields.name.value} created.`);
      },
    },
    h('label', {}, 'Name', fields.name),
    h('label', {}, 'Image', fields.image),
    h('label', {}, 'Memory MiB (0: no cap)', fields.memory),
    h('label', {}, 'CPUs', fields.cpus),
    h('label', {}, 'PIDs', fields.pids),
    h('label', {}, 'Idle stop after (min, 0: never)', fields.idle),
    h('label.inline', {}, fields.sudo, ' sudo allowed'),
    h('button.primary', { type: 'submit' }, template.id ? 'Save' : 'Create template'),
    template.id && template.id !== 'default'
      ? h('button.danger', {
        type: 'button',
        onclick: async () => {
          if (await confirmDialog(`Delete template “${template.name}”?`)) act(() => del(`/api/templates/${template.id}`), 'Template deleted.');
        },
      }, 'Delete')
      : null);
  };

  const drawTemplates = (list) => replace(templates,
    list.map((template) => h('tr', { dataset: { template: template.id } }, h('td', {}, template.id), h('td', {}, templateForm(template)))),
    h('tr', {}, h('td', {}, 'new'), h('td', {}, templateForm())));

  const drawLimits = (answer) => {
    limitsTable = answer;
    const global = answer.global;
    const inputs = {
      max_workspaces: numberInput('max_workspaces', global.max_workspaces),
      max_running: numberInput('max_running', global.max_running),
      memory: numberInput('memory', Math.round(global.memory_bytes / mebibyte)),
      cpus: numberInput('cpus', global.nano_cpus / 1e9, { step: 0.25 }),
      pids: numberInput('pids', global.pids),
      max_tokens: numberInput('max_tokens', global.max_tokens),
      max_secrets: numberInput('max_secrets', global.max_secrets),
    };
    replace(limitsForm,
      h('label', {}, 'Workspaces per user', inputs.max_workspaces),
      h('label', {}, 'Running per user', inputs.max_running),
      h('label', {}, 'Memory MiB', inputs.memory),
      h('label', {}, 'CPUs', inputs.cpus),
      h('label', {}, 'PIDs', inputs.pids),
      h('label', {}, 'API tokens per user', inputs.max_tokens),
      h('label', {}, 'Secrets per user', inputs.max_secrets),
      h('button.primary', { type: 'submit' }, 'Save limits'),
      h('p.muted', {}, '0 means unlimited. ', Object.keys(answer.per_user ?? {}).length, ' per-user overrides kept as they are.'));
    limitsForm.onsubmit = (event) => {
      event.preventDefault();
      const next = {
        global: {
          max_workspaces: Number(inputs.max_workspaces.value),
          max_running: Number(inputs.max_running.value),
          memory_bytes: Number(inputs.memory.value) * mebibyte,
          nano_cpus: Math.round(Number(inputs.cpus.value) * 1e9),
          pids: Number(inputs.pids.value),
          max_tokens: Number(inputs.max_tokens.value),
          max_secrets: Number(inputs.max_secrets.value),
        },
        per_user: limitsTable.per_user ?? {},
      };
      act(() => put('/api/admin/limits', next), 'Limits saved.');
    };
  };

  const drawWorkspaces = (list, names) => replace(workspaces, list.filter((item) => item.state !== 'deleted').map((workspace) =>
    h('tr', { dataset: { id: workspace.id } },
      h('td', {}, h('a', { href: `/w/${workspace.id}` }, workspace.name)),
      h('td', {}, names.get(workspace.owner_id) ?? workspace.owner_id),
      h('td', {}, stateBadge(workspace.state)),
      h('td', {}, ago(workspace.last_activity_ms)),
      h('td', {}, h('button.danger', {
        disabled: workspace.state !== 'running',
        onclick: () => act(() => post(`/api/workspaces/${workspace.id}/stop`), `Stopped ${workspace.name}.`),
      }, 'Force stop')))));

  const traces = h('tbody', {});
  const traceView = h('div.trace-view', {});
  const showTrace = async (row, traceId) => {
    for (const other of traces.children) other.classList.toggle('selected', other === row);
    try {
      replace(traceView, waterfall(await get(`/api/admin/traces/${traceId}`)));
    } catch (error) {
      replace(traceView, notice('error', error.status === 404 ? 'That trace is no longer in memory.' : error.message));
    }
  };
  const drawTraces = (list) => replace(traces, list.length ? list.map((trace) => {
    const row = h('tr.clickable', { dataset: { trace: trace.trace_id }, onclick: () => showTrace(row, trace.trace_id) },
      h('td', {}, trace.name, ' ', trace.error ? h('span.badge.state-failed', {}, 'error') : null),
      h('td', {}, trace.spans),
      h('td', {}, duration(trace.duration_ms)),
      // Nanoseconds overflow a double's exact range; BigInt keeps the milliseconds right.
      h('td', {}, when(Number(BigInt(trace.start_unix_nano) / 1000000n))));
    return row;
  }) : h('tr', {}, h('td', { colspan: 4 }, 'No traces recorded yet.')));
  const loadTraces = async () => {
    try {
      drawTraces((await get('/api/admin/traces?limit=50')).traces);
    } catch (error) {
      say('error', error.message);
    }
  };

  async function reload() {
    const [userList, templateList, limits, workspaceList] = await Promise.all([
      get('/api/admin/users'), get('/api/templates'), get('/api/admin/limits'), get('/api/workspaces?all=1')]);
    drawUsers(userList.users);
    drawTemplates(templateList.templates);
    drawLimits(limits);
    drawWorkspaces(workspaceList.workspaces, new Map(userList.users.map((person) => [person.id, person.username])));
  }

  const newUser = { username: h('input', { required: true, placeholder: 'username' }), password: h('input', { type: 'password', required: true, minlength: 8, autocomplete: 'new-password' }), role: h('select', {}, roles.map((role) => h('option', { value: role }, role))) };
  const userForm = h('form.row', {
    onsubmit: (event) => {
      event.preventDefault();
      act(() => post('/api/admin/users', { username: newUser.username.value.trim(), password: newUser.password.value, role: newUser.role.value }),
        `User ${newUser.username.value.trim()} created.`).then(() => { newUser.password.value = ''; });
    },
  }, h('label', {}, 'Username', newUser.username), h('label', {}, 'Password', newUser.password), h('label', {}, 'Role', newUser.role), h('button.primary', { type: 'submit' }, 'Add user'));

  replace(root,
    h('h1', {}, 'Admin'),
    messages,
    section('Users', userForm, table(['User', 'Role', 'Status', 'Created', ''], users)),
    section('All workspaces', table(['Name', 'Owner', 'State', 'Active', ''], workspaces)),
    section('Limits', limitsForm),
    section('Templates', table(['Id', 'Settings'], templates)),
    section('Recent traces', h('div.row', {}, h('button', { onclick: loadTraces }, 'Refresh')),
      h('div.traces', {}, table(['Name', 'Spans', 'Duration', 'Time'], traces)), traceView));
  try {
    await reload();
  } catch (error) {
    say('error', error.message);
  }
  await loadTraces();
  return undefined;
}

// The workspaces list: live state badges, star, inline rename, create, start/stop/restart,
// export and delete. The list is fetched again every few seconds while the tab is visible,
// so a workspace stopped by idleness or by an admin changes its badge by itself.
import { ApiError, del, get, patch, post, put } from '../api.js';
import { ago, confirmDialog, h, notice, replace } from '../dom.js';

const refresh_ms = 3000;

export function stateBadge(state) {
  return h(`span.badge.state-${state}`, { title: `state: ${state}` }, state);
}

export async function render(root, { user, navigate }) {
  const messages = h('div.messages', { 'aria-live': 'polite' });
  const list = h('div.workspace-list', {});
  const say = (kind, text) => replace(messages, notice(kind, text));
  const explain = (error) => {
    if (error.code === 'quota_exceeded') say('error', `Quota reached: ${error.message}`);
    else if (error.status === 403) say('error', 'Not allowed.');
    else say('error', error.message);
  };
  let workspaces = [];
  let editing = null;

  const act = async (work) => {
    try {
      await work();
      replace(messages);
      await load();
    } catch (error) {
      explain(error);
    }
  };

  const nameCell = (workspace) => {
    if (editing !== workspace.id) {
      return h('a.name', { href: `/w/${workspace.id}` }, workspace.name);
    }
    const input = h('input.rename', { value: workspace.name, 'aria-label': 'New name', maxlength: 64 });
    let finished = false;  // Enter, Escape and the blur that follows them finish once
    const finish = async (save) => {
      if (finished) return;
      finished = true;
      editing = null;
      if (save && input.value.trim() && input.value.trim() !== workspace.name) {
        await act(() => patch(`/api/workspaces/${workspace.id}`, { name: input.value.trim() }));
      } else {
        draw();
      }
    };
    input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') finish(true);
      if (event.key === 'Escape') finish(false);
    });
    input.addEventListener('blur', () => finish(true));
    queueMicrotask(() => input.select());
    return input;
  };

  const row = (workspace) => {
    const running = workspace.state === 'running';
    const busy = workspace.state === 'creating' || workspace.state === 'deleting';
    return h('div.workspace', { dataset: { id: workspace.id, name: workspace.name } },
      h('button.star', {
        'aria-label': workspace.starred ? 'Unstar' : 'Star',
        'aria-pressed': String(workspace.starred),
        onclick: () => act(() => (workspace.starred ? del : put)(`/api/workspaces/${workspace.id}/star`)),
      }, workspace.starred ? '★' : '☆'),
      h('div.main', {},
        nameCell(workspace),
        h('div.meta', {},
          stateBadge(workspace.state),
          workspace.last_error ? h('span.error-text', { title: workspace.last_error }, workspace.last_error) : null,
          h('span.muted', {}, `active ${ago(workspace.last_activity_ms)}`))),
      h('div.actions', {},
        h('a.button.primary', { href: `/w/${workspace.id}` }, 'Open'),
        running
          ? h('button', { disabled: busy, onclick: () => act(() => post(`/api/workspaces/${workspace.id}/stop`)) }, 'Stop')
          : h('button', { disabled: busy, onclick: () => act(() => post(`/api/workspaces/${workspace.id}/start`)) }, 'Start'),
        h('button', { disabled: busy || !running, onclick: () => act(() => post(`/api/workspaces/${workspace.id}/restart`)) }, 'Restart'),
        h('button', { onclick: () => { editing = workspace.id; draw(); } }, 'Rename'),
        h('a.button', { href: `/api/workspaces/${workspace.id}/export`, download: `${workspace.name}.tar.gz` }, 'Export'),
        h('button.danger', {
          onclick: async () => {
            const sure = await confirmDialog(`Delete “${workspace.name}”? Its container and the files in /workspace are removed for good.`);
            if (sure) await act(() => del(`/api/workspaces/${workspace.id}`));
          },
        }, 'Delete')));
  };

  const draw = () => {
    if (workspaces.length === 0) {
      replace(list, h('p.empty', {}, 'No workspaces yet — create one above.'));
      return;
    }
    replace(list, workspaces.map(row));
  };

  const load = async () => {
    const answer = await get('/api/workspaces');
    workspaces = answer.workspaces.filter((workspace) => workspace.state !== 'deleted');
    if (editing === null) draw();
  };

  const templates = user.role === 'auditor' ? { templates: [] } : await get('/api/templates').catch(() => ({ templates: [] }));
  const name = h('input', { name: 'name', placeholder: 'Name, e.g. api-server', required: true, maxlength: 64, pattern: '[A-Za-z0-9 ._\\-]{1,64}' });
  const template = h('select', { name: 'template', 'aria-label': 'Template' },
    templates.templates.map((item) => h('option', { value: item.id }, item.name || item.id)));
  const create = h('button.primary', { type: 'submit' }, 'Create');
  const form = h('form.create.card', {
    onsubmit: async (event) => {
      event.preventDefault();
      create.disabled = true;
      create.textContent = 'Creating…';
      try {
        const workspace = await post('/api/workspaces', { name: name.value.trim(), template: template.value || undefined });
        name.value = '';
        replace(messages, notice('ok', `Created “${workspace.name}”.`));
        await load();
      } catch (error) {
        explain(error);
      } finally {
        create.disabled = false;
        create.textContent = 'Create';
      }
    },
  }, h('label', {}, 'New workspace', name), h('label', {}, 'Template', template), create);

  replace(root,
    h('div.title-row', {}, h('h1', {}, 'Workspaces')),
    user.role === 'auditor' ? h('p.muted', {}, 'Auditors read; they do not create workspaces.') : form,
    messages,
    list);

  try {
    await load();
  } catch (error) {
    explain(error);
  }
  const timer = setInterval(() => {
    if (document.visibilityState === 'visible') load().catch(() => {});
  }, refresh_ms);
  return () => clearInterval(timer);
}


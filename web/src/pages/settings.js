// Settings: your password, API tokens for scripts (the token text is shown once) and
// secrets injected into your workspaces as environment variables (only names are shown).
import { del, get, post, put } from '../api.js';
import { h, notice, replace, when } from '../dom.js';

function section(title, ...children) {
  return h('section.card', {}, h('h2', {}, title), ...children);
}

export async function render(root) {
  const passwordMessages = h('div.messages', {});
  const currentPassword = h('input', { type: 'password', autocomplete: 'current-password', required: true });
  const password = h('input', { type: 'password', autocomplete: 'new-password', minlength: 8, required: true });
  const revokeTokens = h('input', { type: 'checkbox' });
  const passwordForm = h('form.row', {
    onsubmit: async (event) => {
      event.preventDefault();
      try {
        await post('/api/me/password', { current_password: currentPassword.value, password: password.value, revoke_tokens: revokeTokens.checked });
        currentPassword.value = '';
        password.value = '';
        replace(passwordMessages, notice('ok', revokeTokens.checked
          ? 'Password changed. Every other sign-in and every API token was ended.'
          : 'Password changed. Every other sign-in was ended.'));
        if (revokeTokens.checked) loadTokens();
        revokeTokens.checked = false;
      } catch (error) {
        replace(passwordMessages, notice('error', error.message));
      }
    },
  }, h('label', {}, 'Current password', currentPassword),
  h('label', {}, 'New password (8 characters or more)', password),
  h('label', {}, revokeTokens, ' Also revoke my API tokens'),
  h('button.primary', { type: 'submit' }, 'Change'));

  const tokenMessages = h('div.messages', {});
  const tokenList = h('tbody', {});
  const tokenName = h('input', { placeholder: 'e.g. ci-script', required: true, maxlength: 64 });
  const loadTokens = async () => {
    const { tokens } = await get('/api/me/tokens');
    replace(tokenList, tokens.length === 0 ? h('tr', {}, h('td', { colspan: 4 }, 'No tokens.')) : tokens.map((token) =>
      h('tr', { dataset: { token: token.id } },
        h('td', {}, token.name),
        h('td', {}, when(token.created_ms)),
        h('td', {}, token.expires_ms ? when(token.expires_ms) : 'never'),
        h('td', {}, h('button.danger', {
          onclick: async () => {
            try {
              await del(`/api/me/tokens/${token.id}`);
              replace(tokenMessages, notice('ok', `Revoked “${token.name}”.`));
              await loadTokens();
            } catch (error) {
              replace(tokenMessages, notice('error', error.message));
            }
          },
        }, 'Revoke')))));
  };
  const tokenForm = h('form.row', {
    onsubmit: async (event) => {
      event.preventDefault();
      try {
        const created = await post('/api/me/tokens', { name: tokenName.value.trim() });
        tokenName.value = '';
        replace(tokenMessages,
          notice('ok', 'Copy this token now; it is not shown again:'),
          h('pre.token', {}, created.token));
        await loadTokens();
      } catch (error) {
        replace(tokenMessages, notice('error', error.message));
      }
    },
  }, h('label', {}, 'Token name', tokenName), h('button.primary', { type: 'submit' }, 'Create token'));

  const secretMessages = h('div.messages', {});
  const secretList = h('ul.secrets', {});
  const secretName = h('input', { placeholder: 'ANTHROPIC_API_KEY', required: true, pattern: '[A-Za-z_][A-Za-z0-9_]*', maxlength: 128 });
  const secretValue = h('input', { type: 'password', autocomplete: 'off', required: true });
  const loadSecrets = async () => {
    const { secrets } = await get('/api/me/secrets');
    replace(secretList, secrets.length === 0 ? h('li.muted', {}, 'No secrets.') : secrets.map((name) =>
      h('li', { dataset: { secret: name } }, h('code', {}, name), ' ', h('button.danger.small', {
        onclick: async () => {
          try {
            await del(`/api/me/secrets/${encodeURIComponent(name)}`);
            await loadSecrets();
          } catch (error) {
            replace(secretMessages, notice('error', error.message));
          }
        },
      }, 'Delete'))));
  };
  const secretForm = h('form.row', {
    onsubmit: async (event) => {
      event.preventDefault();
      try {
        await put(`/api/me/secrets/${encodeURIComponent(secretName.value.trim())}`, { value: secretValue.value });
        replace(secretMessages, notice('ok', `Saved ${secretName.value.trim()}; new shells see it as $${secretName.value.trim()}.`));
        secretName.value = '';
        secretValue.value = '';
        await loadSecrets();
      } catch (error) {
        replace(secretMessages, notice('error', error.message));
      }
    },
  }, h('label', {}, 'Name', secretName), h('label', {}, 'Value', secretValue), h('button.primary', { type: 'submit' }, 'Save secret'));

  replace(root,
    h('h1', {}, 'Settings'),
    section('Password', passwordForm, passwordMessages),
    section('API tokens',
      h('p.muted', {}, 'For scripts: send Authorization: Bearer <token>.'),
      tokenForm, tokenMessages,
      h('div.table-scroll', {}, h('table', {}, h('thead', {}, h('tr', {}, ['Name', 'Created', 'Expires', ''].map((t) => h('th', {}, t)))), tokenList))),
    section('Secrets',
      h('p.muted', {}, 'Environment variables of the terminals opened in your workspaces from now on (open terminals keep what they had). Values are never shown again.'),
      secretForm, secretMessages, secretList));
  await Promise.all([loadTokens(), loadSecrets()]).catch((error) => replace(tokenMessages, notice('error', error.message)));
  return undefined;
}

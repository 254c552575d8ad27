// The login page: username and password; wrong credentials and rate limiting are shown.
import { ApiError, post } from '../api.js';
import { h, notice, replace } from '../dom.js';

export function render(root, { search, navigate, signedIn }) {
  const message = h('div.messages', {});
  const username = h('input', { name: 'username', autocomplete: 'username', required: true, autofocus: true });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const submit = h('button.primary', { type: 'submit' }, 'Log in');
  let unlockTimer = null;

  const lockFor = (seconds) => {
    submit.disabled = true;
    let left = seconds;
    const tick = () => {
      if (left <= 0) {
        submit.disabled = false;
        submit.textContent = 'Log in';
        replace(message);
        return;
      }
      submit.textContent = `Try again in ${left} s`;
      left -= 1;
      unlockTimer = setTimeout(tick, 1000);
    };
    tick();
  };

  const form = h('form.card.login', {
    onsubmit: async (event) => {
      event.preventDefault();
      replace(message);
      submit.disabled = true;
      try {
        const answer = await post('/api/auth/login', { username: username.value.trim(), password: password.value });
        signedIn(answer.user);
        const next = search.get('next');
        navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/', { replace: true });
      } catch (error) {
        submit.disabled = false;
        if (error instanceof ApiError && error.status === 429) {
          const seconds = error.retryAfter ?? 30;
          replace(message, notice('error', `Too many login attempts. Wait ${seconds} seconds before trying again.`));
          lockFor(seconds);
        } else if (error instanceof ApiError && error.status === 401) {
          replace(message, notice('error', 'Wrong username or password.'));
          password.select();
        } else {
          replace(message, notice('error', error.message));
        }
      }
    },
  },
  h('h1', {}, h('span.logo', { 'aria-hidden': 'true' }, '⚓'), ' Berth'),
  h('p.muted', {}, 'Workspaces and terminals that keep your shell.'),
  h('label', {}, 'Username', username),
  h('label', {}, 'Password', password),
  message,
  submit);

  replace(root, form);
  root.classList.add('centered');
  return () => clearTimeout(unlockTimer);
}

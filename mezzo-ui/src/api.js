// Calls to the master from the page: same origin, JSON, with `Authorization: Bearer` once the user
// entered a token. The first 401 opens the sign-in box; the call is retried with the token entered,
// which is kept in sessionStorage (this tab only). Other failures reject with an ApiError that
// carries the status and the master's message (which names the bad field).

const KEY = 'mezzo.token';
let pendingLogin = null;

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export function token() {
  return sessionStorage.getItem(KEY);
}

export function forgetToken() {
  sessionStorage.removeItem(KEY);
}

export function authHeaders() {
  const t = token();
  return t ? { Authorization: `Bearer ${t}` } : {};
}

/**
 * Asks for a token (one box however many calls wait); resolves once one is entered. A token already
 * kept was refused (every caller got a 401 with it), and the box says so.
 */
export function askToken() {
  if (pendingLogin) return pendingLogin;
  const dialog = document.getElementById('login');
  const form = dialog.querySelector('form');
  dialog.querySelector('.error').textContent = token() ? 'That token was refused: try another.' : '';
  pendingLogin = new Promise((resolve) => {
    form.onsubmit = (e) => {
      e.preventDefault();
      sessionStorage.setItem(KEY, form.token.value.trim());
      form.token.value = '';
      dialog.close();
      pendingLogin = null;
      document.dispatchEvent(new CustomEvent('mezzo:token'));
      resolve();
    };
  });
  if (!dialog.open) dialog.showModal();
  return pendingLogin;
}

/**
 * fetch() with the token; a 401 asks for one and retries. Answers the Response of any other status.
 */
export async function request(path, { method = 'GET', body, headers = {}, signal } = {}) {
  for (;;) {
    const sent = token();
    const init = { method, headers: { ...headers, ...authHeaders() }, signal };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      init.headers['Content-Type'] = 'application/json';
    }
    const res = await fetch(path, init);
    if (res.status !== 401) return res;
    // a token entered while this call was on its way is tried before asking again
    if (token() === sent) await askToken();
  }
}

/** The JSON answer of a 2xx; an ApiError with the body's message otherwise. */
export async function json(path, options) {
  const res = await request(path, options);
  const text = await res.text();
  if (!res.ok) {
    const message = messageOf(text) || `${res.status} ${res.statusText}`;
    throw new ApiError(res.status, res.status === 403
      ? `${message}: sign in with a token of that role ("Forget token", top right)` : message);
  }
  return text ? JSON.parse(text) : null;
}

/** As json(), but null when the endpoint does not exist on this master (404/405/501). */
export async function optionalJson(path) {
  try {
    return await json(path);
  } catch (e) {
    if (e instanceof ApiError && (e.status === 404 || e.status === 405 || e.status === 501)) return null;
    throw e;
  }
}

function messageOf(text) {
  try {
    const v = JSON.parse(text);
    const details = v && Array.isArray(v.details)
      ? v.details.map((d) => `${d.path}: ${(d.errors || []).join(', ')}`).join('; ') : '';
    if (v && typeof v.message === 'string') return details ? `${v.message}: ${details}` : v.message;
    if (details) return details;
  } catch {
    // plain text
  }
  return text.trim();
}

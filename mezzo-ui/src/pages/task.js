// One task: where it runs and the tail of its stdout and stderr, followed live by polling the
// master's files API with offsets (the last 32 KiB first, then whatever was appended).
import { json, optionalJson, ApiError } from '../api.js';
import { h, fill, empty, badge } from '../dom.js';

export const NAME = 'task';
const TAIL = 32 * 1024;
const KEEP = 256 * 1024;

export function mount(el, [taskId]) {
  const info = h('div', { class: 'panel' });
  const logs = { stdout: h('pre', { class: 'log', 'data-testid': 'log-stdout' }),
    stderr: h('pre', { class: 'log', 'data-testid': 'log-stderr' }) };
  const follow = h('input', { type: 'checkbox', checked: true, 'data-testid': 'log-follow' });
  const offsets = { stdout: null, stderr: null };
  let where = null;
  let stopped = false;

  el.append(h('p', { class: 'crumbs' }, h('a', { href: '#/apps' }, 'Apps'), ' / task'),
    h('h1', {}, taskId), info,
    h('section', { class: 'panel' }, h('div', { class: 'row' }, h('h2', {}, 'Logs'),
      h('label', { class: 'check' }, follow, ' follow')),
    h('div', { class: 'logs' },
      h('div', {}, h('h3', {}, 'stdout'), logs.stdout),
      h('div', {}, h('h3', {}, 'stderr'), logs.stderr))));

  async function locate() {
    const s = await optionalJson(`/v1/tasks/${encodeURIComponent(taskId)}/sandbox`);
    if (s) return s;
    // a master without the sandbox endpoint: the task's framework and agent from its state
    const state = await json('/master/state');
    for (const f of state.frameworks || []) {
      for (const t of [...(f.tasks || []), ...(f.completed_tasks || [])]) {
        if (t.id === taskId) {
          return { agent_id: t.slave_id, path: `/frameworks/${f.id}/tasks/${taskId}/runs/latest`, state: t.state };
        }
      }
    }
    return null;
  }

  async function read(name) {
    const path = `${where.path}/${name}`;
    const q = (o, l) => `/v1/files/read?agent_id=${encodeURIComponent(where.agent_id)}&path=${encodeURIComponent(path)}`
      + `&offset=${o}${l ? `&length=${l}` : ''}`;
    if (offsets[name] === null) {
      const size = (await json(q(-1))).offset;
      offsets[name] = Math.max(0, size - TAIL);
    }
    for (let i = 0; i < 8; i++) {
      const r = await json(q(offsets[name], 64 * 1024));
      if (!r.data) break;
      const pre = logs[name];
      const atEnd = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
      pre.textContent = (pre.textContent + r.data).slice(-KEEP);
      offsets[name] = r.offset + new TextEncoder().encode(r.data).length;
      if (follow.checked && atEnd) pre.scrollTop = pre.scrollHeight;
    }
  }

  async function refresh() {
    if (stopped) return;
    if (!where) {
      where = await locate();
      if (!where) {
        fill(info, empty('No such task on this master.', 'task-missing'));
        return;
      }
      fill(info, h('dl', {}, h('dt', {}, 'agent'), h('dd', {}, where.agent_id),
        h('dt', {}, 'sandbox'), h('dd', {}, h('code', {}, where.path)),
        where.state ? [h('dt', {}, 'state'), h('dd', {}, badge(where.state))] : null));
    }
    for (const name of ['stdout', 'stderr']) {
      try {
        await read(name);
      } catch (e) {
        if (e instanceof ApiError && (e.status === 404 || e.status === 405)) {
          if (!logs[name].textContent) logs[name].textContent = `(no ${name}: ${e.message})`;
        } else {
          throw e;
        }
      }
    }
  }
  return { refresh, interval: 1000, onEvent: () => false, unmount() { stopped = true; } };
}

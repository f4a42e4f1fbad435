// Agents: each agent's state, resources used of total, usage, tasks, its container images (the
// agent's GET /images through the master's /v1/images, asked at most every 10 s per agent), and a
// drain button (the operator API's DRAIN_AGENT; asks for a second click first).
import { agents, resourceScalar } from '../data.js';
import { json } from '../api.js';
import { h, fill, tid, badge, empty, toast, bar, num, bytes } from '../dom.js';

export const NAME = 'agents';

export function mount(el) {
  const box = h('div');
  const armed = new Map();
  const images = new Map(); // agent id -> { at, list | error }
  const IMAGES_TTL_MS = 10000;

  function imagesTable(entry) {
    if (entry.error) return h('p', { class: 'sub' }, `images: ${entry.error}`);
    if (entry.list.length === 0) return empty('No container images.', 'agent-images-empty');
    return h('table', {},
      h('thead', {}, h('tr', {}, ['Image', 'Size', 'Used by'].map((t) => h('th', {}, t)))),
      h('tbody', {}, entry.list.map((i) => h('tr', { 'data-testid': 'agent-image-row' },
        h('td', {}, (i.references || []).filter((r) => !r.includes('@')).join(', ') || '–',
          h('div', { class: 'sub' }, String(i.digest || '').slice(0, 19))),
        h('td', {}, bytes((i.size_bytes || 0) / 1048576)),
        h('td', {}, (i.tasks || []).length === 0 ? h('span', { class: 'sub' }, 'no task')
          : i.tasks.map((t) => h('a', { href: `#/task/${encodeURIComponent(t)}` }, t)))))));
  }

  async function loadImages(id, slot) {
    let entry = images.get(id);
    if (!entry || Date.now() - entry.at > IMAGES_TTL_MS) {
      try {
        entry = { at: Date.now(), list: await json(`/v1/images?agent_id=${encodeURIComponent(id)}`) };
      } catch (e) {
        entry = { at: Date.now(), error: e.message };
      }
      images.set(id, entry);
    }
    fill(slot, h('h3', {}, 'Images'), imagesTable(entry));
  }
  el.append(h('h1', {}, 'Agents'), box);

  async function drain(id, button) {
    if (!armed.has(id)) {
      button.textContent = 'Really drain?';
      armed.set(id, setTimeout(() => { armed.delete(id); button.textContent = 'Drain'; }, 4000));
      return;
    }
    clearTimeout(armed.get(id));
    armed.delete(id);
    try {
      await json('/api/v1', { method: 'POST', body: { type: 'DRAIN_AGENT', drain_agent: { agent_id: { value: id } } } });
      toast(`Draining ${id}`);
      refresh();
    } catch (e) {
      toast(`drain ${id}: ${e.message}`, 'error');
    }
  }

  async function refresh() {
    const list = await agents();
    fill(box, list.length === 0 ? h('section', { class: 'panel' }, empty('No agent is registered.', 'agents-empty'))
      : list.map((a) => {
        const button = h('button', { type: 'button', class: 'danger', 'data-testid': `drain-${tid(a.id)}`,
          disabled: a.state !== 'ACTIVE' }, armed.has(a.id) ? 'Really drain?' : 'Drain');
        button.addEventListener('click', () => drain(a.id, button));
        const imageSlot = h('div', { class: 'images', 'data-testid': 'agent-images' });
        loadImages(a.id, imageSlot);
        return h('section', { class: 'panel agent', 'data-testid': `agent-${tid(a.id)}` },
          h('div', { class: 'row' }, h('h2', {}, a.hostname),
            h('span', { 'data-testid': 'agent-state' }, badge(a.state, a.state === 'ACTIVE' ? 'ok' : 'warn')),
            h('span', { class: 'sub' }, `${a.address} · ${a.id}`), h('span', { class: 'spacer' }), button),
          h('div', { class: 'resources compact' }, ['cpus', 'mem', 'disk'].map((r) => {
            const used = resourceScalar(a.used, r);
            const total = resourceScalar(a.resources, r);
            const fmt = r === 'cpus' ? (v) => num(v, 2) : bytes;
            return h('div', { class: 'resource' }, h('div', { class: 'resource-head' }, h('strong', {}, r),
              h('span', {}, `${fmt(used)} of ${fmt(total)}`)), bar(used, 0, total));
          })),
          a.usage ? h('p', { class: 'sub', 'data-testid': 'agent-usage' }, usage(a.usage)) : null,
          (a.tasks || []).length === 0 ? empty('No tasks.') : h('table', {},
            h('thead', {}, h('tr', {}, ['Task', 'Framework', 'State'].map((t) => h('th', {}, t)))),
            h('tbody', {}, a.tasks.map((t) => h('tr', { 'data-testid': 'agent-task-row' },
              h('td', {}, h('a', { href: `#/task/${encodeURIComponent(t.id)}` }, t.name || t.id), h('div', { class: 'sub' }, t.id)),
              h('td', { class: 'sub' }, t.framework_id),
              h('td', {}, badge(t.state)))))),
          imageSlot);
      }));
  }
  return { refresh };
}

function usage(u) {
  const parts = [];
  if (typeof u.cpus_used === 'number') parts.push(`cpu ${num(u.cpus_used, 2)}`);
  if (typeof u.cpus_time_secs === 'number') parts.push(`cpu time ${num(u.cpus_time_secs)} s`);
  if (typeof u.cpus_user_time_secs === 'number') parts.push(`cpu user ${num(u.cpus_user_time_secs)} s`);
  if (typeof u.mem_rss_bytes === 'number') parts.push(`rss ${bytes(u.mem_rss_bytes / 1048576)}`);
  return `usage: ${parts.join(' · ') || 'none reported'}${u.source ? ` (from the ${u.source})` : ''}`;
}

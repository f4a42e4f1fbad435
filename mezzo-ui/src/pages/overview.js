// Overview: agents by state, every resource's used/offered/total as a bar, frameworks grouped by
// role with their dominant share.
import { overview, RESOURCES } from '../data.js';
import { h, fill, num, bytes, pct, bar, tid, badge, empty } from '../dom.js';

export const NAME = 'overview';

function amount(r, v) {
  if (r === 'mem' || r === 'disk') return bytes(v);
  return num(v, r === 'cpus' ? 2 : 0);
}

export function mount(el) {
  const agentsBox = h('div', { class: 'cards' });
  const resourcesBox = h('div', { class: 'resources' });
  const frameworksBox = h('div');
  el.append(
    h('h1', {}, 'Cluster overview'),
    agentsBox,
    h('section', { class: 'panel' }, h('h2', {}, 'Resources'),
      h('p', { class: 'legend' }, h('span', { class: 'swatch used' }), 'used ',
        h('span', { class: 'swatch offered' }), 'offered ', h('span', { class: 'swatch free' }), 'free'),
      resourcesBox),
    h('section', { class: 'panel' }, h('h2', {}, 'Frameworks by role'), frameworksBox));

  async function refresh() {
    const o = await overview();
    const a = o.agents;
    const total = Object.values(a).reduce((n, v) => n + (typeof v === 'number' ? v : 0), 0);
    fill(agentsBox,
      card('Agents', total, 'agent-count'),
      card('Active', a.active, 'agent-active'),
      card('Draining', a.draining, 'agent-draining'),
      card('Unreachable', a.unreachable, 'agent-unreachable'),
      card('Frameworks', o.frameworks.length, 'framework-count'));
    fill(resourcesBox, RESOURCES.map((r) => {
      const x = o.resources[r] || { total: 0, used: 0, offered: 0 };
      return h('div', { class: 'resource', 'data-testid': `resource-${r}` },
        h('div', { class: 'resource-head' }, h('strong', {}, r),
          h('span', {}, `used ${amount(r, x.used)} · offered ${amount(r, x.offered)} · total ${amount(r, x.total)}`)),
        bar(x.used, x.offered, x.total, `resource-bar-${r}`));
    }));
    const byRole = new Map();
    for (const f of o.frameworks) {
      for (const role of f.roles && f.roles.length ? f.roles : ['*']) {
        if (!byRole.has(role)) byRole.set(role, []);
        byRole.get(role).push(f);
      }
    }
    if (!byRole.size) {
      fill(frameworksBox, empty('No framework is registered.', 'frameworks-empty'));
      return;
    }
    fill(frameworksBox, [...byRole.entries()].sort(([x], [y]) => x.localeCompare(y)).map(([role, fws]) =>
      h('div', { class: 'role', 'data-testid': `role-${tid(role)}` },
        h('h3', {}, 'role ', h('code', {}, role)),
        h('table', {},
          h('thead', {}, h('tr', {}, h('th', {}, 'Framework'), h('th', {}, 'Principal'), h('th', {}, 'Tasks'),
            h('th', {}, 'State'), h('th', { class: 'wide' }, 'Dominant share'))),
          h('tbody', {}, fws.sort((p, q) => q.dominant_share - p.dominant_share).map((f) =>
            h('tr', { 'data-testid': `framework-row-${tid(f.id)}` },
              h('td', {}, f.name, h('div', { class: 'sub' }, f.id)),
              h('td', {}, f.principal || '–'),
              h('td', {}, num(f.tasks, 0)),
              h('td', {}, badge(f.active ? 'connected' : 'disconnected', f.active ? 'ok' : 'warn')),
              h('td', {}, h('div', { class: 'share' }, bar(f.dominant_share, 0, 1),
                h('span', { 'data-testid': 'dominant-share' }, pct(f.dominant_share)))))))))));
  }
  return { refresh };
}

function card(label, value, testid) {
  return h('div', { class: 'card' }, h('div', { class: 'card-value', 'data-testid': testid }, num(value, 0)),
    h('div', { class: 'card-label' }, label));
}

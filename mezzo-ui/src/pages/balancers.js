// Load balancers: each balancer that reports to the master, and per route and per backend the
// requests per second, latency p50/p99 and errors.
import { balancers } from '../data.js';
import { h, fill, tid, badge, empty, num } from '../dom.js';

export const NAME = 'balancers';

function errors(b) {
  if (typeof b.errors_per_second === 'number') return `${num(b.errors_per_second, 2)}/s`;
  const r = b.responses || {};
  return num(r['5xx'] || 0, 0);
}

/** The table of a route's backends ([instance, stats] pairs). */
export function backendRows(backends) {
  if (!backends.length) return empty('No backend.', 'lb-backends-empty');
  return h('table', {},
    h('thead', {}, h('tr', {}, ['Backend', 'Health', 'Requests/s', 'p50', 'p99', 'Errors', 'In flight']
      .map((t) => h('th', {}, t)))),
    h('tbody', {}, backends.map(([name, b]) => h('tr', { 'data-testid': `lb-backend-${tid(name)}` },
      h('td', {}, name, h('div', { class: 'sub' }, b.host || ''), b.draining ? badge('draining') : null),
      h('td', {}, badge(b.health || '–', (b.health || '').toLowerCase() === 'up' ? 'ok' : 'bad')),
      h('td', { 'data-testid': 'lb-rps' }, num(b.requests_per_second ?? b.rps)),
      h('td', { 'data-testid': 'lb-p50' }, `${num(b.p50_ms)} ms`),
      h('td', { 'data-testid': 'lb-p99' }, `${num(b.p99_ms)} ms`),
      h('td', { 'data-testid': 'lb-errors' }, errors(b)),
      h('td', {}, num(b.in_flight, 0))))));
}

export function mount(el) {
  const box = h('div');
  el.append(h('h1', {}, 'Load balancers'), box);
  async function refresh() {
    const bs = await balancers();
    if (!bs) {
      fill(box, h('section', { class: 'panel' }, empty('This master reports no load balancer (it has no /v1/balancers).', 'lb-none')));
      return;
    }
    if (!bs.length) {
      fill(box, h('section', { class: 'panel' }, empty('No load balancer reports to this master.', 'lb-empty')));
      return;
    }
    fill(box, bs.map((b) => h('section', { class: 'panel', 'data-testid': `balancer-${tid(b.address)}` },
      h('h2', {}, b.address, ' ', badge(b.ok ? 'up' : 'unreachable', b.ok ? 'ok' : 'bad')),
      b.error ? h('p', { class: 'error' }, b.error) : null,
      Object.entries((b.stats && b.stats.routes) || {}).map(([route, r]) => h('div', { class: 'lb-route',
        'data-testid': `lb-route-${tid(route)}` },
        h('h3', {}, 'route ', h('code', {}, route), h('span', { class: 'sub' },
          ` ${num(r.requests_per_second ?? r.rps)} req/s · p50 ${num(r.p50_ms)} ms · p99 ${num(r.p99_ms)} ms`)),
        backendRows(Object.entries(r.backends || {})))))));
  }
  return { refresh, interval: 2000, onEvent: () => false };
}

// One app: its instances and tasks, the actions (scale, restart, remove), the autoscaling panel
// (each metric against its target over time, instances over time, the decision log with reasons)
// and the load balancer's figures for its backends.
import { app as loadApp, autoscaler, autoscalerHistory, balancers, counts, deployments } from '../data.js';
import { json } from '../api.js';
import { h, fill, tid, badge, empty, toast, num, ago } from '../dom.js';
import { timeChart } from '../charts.js';
import { deploymentCell } from './apps.js';
import { backendRows } from './balancers.js';

export const NAME = 'app';

/** Samples taken by this tab when the master keeps no history: appId -> [{t, instances, metrics, targets}]. */
const samples = new Map();
const MAX_SAMPLES = 720;
const HISTORY_EVERY_MS = 6000;

export function mount(el, [id]) {
  const head = h('div', { class: 'app-head' });
  const stats = h('div', { class: 'cards' });
  const dep = h('div');
  const tasks = h('div');
  const scaler = h('div', { 'data-testid': 'autoscaling-panel' });
  const scalerStatus = h('div');
  const scalerBody = h('div', { hidden: true });
  const metricBox = h('div', { class: 'chart', 'data-testid': 'metric-chart' });
  const instBox = h('div', { class: 'chart', 'data-testid': 'instances-chart' });
  const decisions = h('div');
  const lb = h('div', { 'data-testid': 'lb-panel' });
  let metricChart = null;
  let history = null;
  let historyAt = 0;
  let historyDue = true;
  let metricNames = '';
  const instChart = timeChart(instBox, { title: 'Instances', series: [{ label: 'instances', step: true }] });

  const scaleInput = h('input', { type: 'number', min: 0, step: 1, 'data-testid': 'scale-input', required: true });
  const force = h('input', { type: 'checkbox', 'data-testid': 'scale-force' });
  const scaleButton = h('button', { type: 'submit', class: 'primary', 'data-testid': 'scale-submit' }, 'Scale');
  const restart = h('button', { type: 'button', 'data-testid': 'restart', onclick: () => act('restart') }, 'Restart');
  const remove = h('button', { type: 'button', class: 'danger', 'data-testid': 'remove', onclick: confirmRemove }, 'Remove');
  let removeArmed = null;

  el.append(
    h('p', { class: 'crumbs' }, h('a', { href: '#/apps' }, 'Apps'), ' / ', id),
    head, stats,
    h('section', { class: 'panel actions' },
      h('form', { class: 'row', onsubmit: (e) => { e.preventDefault(); act('scale'); } },
        h('label', {}, 'Instances ', scaleInput), h('label', { class: 'check' }, force, ' force'), scaleButton),
      h('div', { class: 'row' }, restart, remove)),
    dep,
    h('section', { class: 'panel' }, h('h2', {}, 'Tasks'), tasks),
    h('section', { class: 'panel' }, h('h2', {}, 'Autoscaling'), scaler),
    h('section', { class: 'panel' }, h('h2', {}, 'Load balancer'), lb));
  fill(scaler, scalerStatus, fill(scalerBody, h('div', { class: 'charts' }, metricBox, instBox),
    h('h3', {}, 'Decisions'), decisions));

  function confirmRemove() {
    if (!removeArmed) {
      remove.textContent = 'Really remove?';
      removeArmed = setTimeout(() => { remove.textContent = 'Remove'; removeArmed = null; }, 4000);
      return;
    }
    clearTimeout(removeArmed);
    removeArmed = null;
    act('remove');
  }

  async function act(what) {
    const q = force.checked ? '?force=true' : '';
    try {
      if (what === 'scale') {
        const n = Number(scaleInput.value);
        if (!Number.isInteger(n) || n < 0) throw new Error(`instances: ${scaleInput.value} (expected: a whole number >= 0)`);
        await json(`/v2/apps${id}${q}`, { method: 'PATCH', body: { instances: n } });
        toast(`Scaling ${id} to ${n}`);
        delete scaleInput.dataset.touched;
      } else if (what === 'restart') {
        await json(`/v2/apps${id}/restart${q}`, { method: 'POST' });
        toast(`Restarting ${id}`);
      } else {
        await json(`/v2/apps${id}${q}`, { method: 'DELETE' });
        toast(`Removing ${id}`);
        location.hash = '#/apps';
        return;
      }
      refresh();
    } catch (e) {
      toast(`${what} ${id}: ${e.message}${e.status === 409 ? ' (tick "force" to override the deployment in progress)' : ''}`, 'error');
    }
  }

  async function refresh() {
    const [a, ds] = await Promise.all([loadApp(id), deployments()]);
    const c = counts(a);
    fill(head, h('h1', {}, a.id), a.autoscaling ? badge('autoscaled', 'info') : null,
      h('span', { class: 'sub' }, `${a.cpus} cpus · ${a.mem} MiB · version ${a.version || '–'}`));
    fill(stats,
      stat('Wanted', c.wanted, 'instances-wanted'), stat('Healthy', c.healthy, 'instances-healthy'),
      stat('Running', c.running, 'instances-running'), stat('Staged', c.staged, 'instances-staged'),
      stat('Draining', c.draining, 'instances-draining'));
    if (document.activeElement !== scaleInput && !scaleInput.dataset.touched) scaleInput.value = c.wanted;
    const mine = ds.filter((d) => (d.affectedApps || []).includes(a.id));
    fill(dep, mine.length ? h('section', { class: 'panel' }, h('h2', {}, 'Deployment'), mine.map((d) => deploymentCell(d, a))) : null);
    const ts = a.tasks || [];
    fill(tasks, ts.length === 0 ? empty('No tasks.', 'tasks-empty') : h('table', {},
      h('thead', {}, h('tr', {}, ['Task', 'Address', 'State', 'Health', 'Started'].map((t) => h('th', {}, t)))),
      h('tbody', {}, ts.map((t) => h('tr', { 'data-testid': 'task-row' },
        h('td', {}, h('a', { href: `#/task/${encodeURIComponent(t.id)}`, 'data-testid': `task-link-${tid(t.id)}` }, t.id)),
        h('td', {}, `${t.host}:${(t.ports || []).join(',')}`),
        h('td', {}, badge(t.mezzoState || t.state)),
        h('td', {}, health(t)),
        h('td', {}, ago(t.startedAt)))))));
    await Promise.all([refreshScaler(a), refreshLb(ts)]);
  }

  async function refreshScaler(a) {
    const view = await autoscaler(id);
    if (!view && !a.autoscaling) {
      fill(scalerStatus, empty('This app has no autoscaling policy.', 'autoscaling-none'));
      scalerBody.hidden = true;
      return;
    }
    scalerBody.hidden = false;
    const policy = (view && view.policy) || a.autoscaling || {};
    const targets = {};
    for (const m of policy.metrics || []) targets[m.name] = m.target;
    // the history (up to an hour of points) is read again only after a scaling event or 6 s
    if (historyDue || Date.now() - historyAt >= HISTORY_EVERY_MS) {
      historyDue = false;
      historyAt = Date.now();
      history = await autoscalerHistory(id);
    }
    let hist = history;
    if (!hist && view) hist = { points: sample(view, targets), decisions: view.decisions || [] };
    hist = hist || { points: [], decisions: [] };
    if (history && view) hist = { points: hist.points, decisions: view.decisions || hist.decisions };
    fill(scalerStatus, h('div', { class: 'row' },
      h('span', { 'data-testid': 'autoscaler-status' }, badge(view ? view.status || 'unknown' : 'waiting', 'info')),
      view && view.recommendation ? h('span', {}, `recommends ${view.recommendation.desired}: ${view.recommendation.reason}`) : null,
      h('span', { class: 'sub' }, `between ${policy.minInstances ?? '?'} and ${policy.maxInstances ?? '?'} instances`),
      view && view.lastEvaluationAt ? h('span', { class: 'sub' }, `evaluated ${ago(view.lastEvaluationAt)}`) : null));
    const names = Object.keys(targets);
    const pts = hist.points || [];
    const xs = pts.map((p) => p.t / 1000);
    if (names.join() !== metricNames) {
      if (metricChart) metricChart.destroy();
      metricBox.replaceChildren();
      metricNames = names.join();
      metricChart = timeChart(metricBox, { title: 'Metric vs target',
        series: names.flatMap((n) => [{ label: n }, { label: `${n} target`, dash: [6, 4] }]) });
    }
    metricChart.update(xs, ...names.flatMap((n) => [
      pts.map((p) => (p.metrics && typeof p.metrics[n] === 'number' ? p.metrics[n] : null)),
      pts.map((p) => (p.targets && p.targets[n] !== undefined ? p.targets[n] : targets[n] ?? null))]));
    instChart.update(xs, pts.map((p) => p.instances));
    const ds = [...(hist.decisions || [])].sort((p, q) => Date.parse(q.at) - Date.parse(p.at));
    fill(decisions, ds.length === 0 ? empty('No scaling decision yet.', 'decisions-empty') : h('table', {},
      h('thead', {}, h('tr', {}, ['When', 'Change', 'Reason', 'Outcome'].map((t) => h('th', {}, t)))),
      h('tbody', {}, ds.map((d) => h('tr', { 'data-testid': 'decision-row' },
        h('td', {}, ago(d.lastAt || d.at), d.repeats > 1 ? h('div', { class: 'sub' }, `×${d.repeats}`) : null),
        h('td', { 'data-testid': 'decision-change' }, `${d.current} → ${d.desired}`,
          d.limitedBy ? h('div', { class: 'sub' }, `limited by ${d.limitedBy}`) : null),
        h('td', { 'data-testid': 'decision-reason' }, d.reason,
          (d.proposals || []).map((p) => h('div', { class: 'sub' }, `${p.policy}: ${p.instances} (${p.detail})`))),
        h('td', {}, d.outcome || '–'))))));
  }

  function sample(view, targets) {
    if (!samples.has(id)) samples.set(id, []);
    const list = samples.get(id);
    const metrics = {};
    for (const [n, m] of Object.entries(view.metrics || {})) if (typeof m.value === 'number') metrics[n] = m.value;
    const last = list[list.length - 1];
    if (!last || Date.now() - last.t >= 1000) list.push({ t: Date.now(), instances: view.instances, metrics, targets });
    if (list.length > MAX_SAMPLES) list.splice(0, list.length - MAX_SAMPLES);
    return list;
  }

  async function refreshLb(ts) {
    const bs = await balancers();
    if (!bs) {
      fill(lb, empty('This master reports no load balancer (it has no /v1/balancers).', 'lb-none'));
      return;
    }
    const ids = new Set(ts.map((t) => t.id));
    const short = tid(id);
    const rows = [];
    for (const b of bs) {
      for (const [route, r] of Object.entries((b.stats && b.stats.routes) || {})) {
        const backends = Object.entries(r.backends || {});
        if (!backends.some(([k]) => ids.has(k)) && !route.includes(short)) continue;
        rows.push(h('div', { class: 'lb-route', 'data-testid': `lb-route-${tid(route)}` },
          h('h3', {}, 'route ', h('code', {}, route), ' via ', b.address,
            h('span', { class: 'sub' }, ` ${num(r.rps)} req/s · p50 ${num(r.p50_ms)} ms · p99 ${num(r.p99_ms)} ms`)),
          backendRows(backends)));
      }
    }
    fill(lb, rows.length ? rows : empty('No load balancer route leads to this app.', 'lb-empty'));
  }

  scaleInput.addEventListener('input', () => { scaleInput.dataset.touched = '1'; });
  return {
    refresh,
    interval: 2000,
    onEvent: (e) => {
      const mine = !e.data || !e.data.appId || e.data.appId === id;
      if (mine && e.type === 'autoscale_event') historyDue = true;
      return mine;
    },
    unmount() {
      instChart.destroy();
      if (metricChart) metricChart.destroy();
    },
  };
}

function stat(label, value, testid) {
  return h('div', { class: 'card' }, h('div', { class: 'card-value', 'data-testid': testid }, num(value, 0)),
    h('div', { class: 'card-label' }, label));
}

function health(t) {
  const r = (t.healthCheckResults || [])[0];
  if (!r) return h('span', { class: 'sub' }, '–');
  return badge(r.alive ? 'healthy' : 'unhealthy');
}

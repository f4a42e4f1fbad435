// Apps: every app with its instances healthy/running/staged/draining and its deployment, the
// deployments in progress, and a form that deploys an app from its JSON definition (POST /v2/apps).
import { apps, deployments, counts } from '../data.js';
import { json } from '../api.js';
import { h, fill, tid, badge, empty, toast, ago } from '../dom.js';

export const NAME = 'apps';

const EXAMPLE = JSON.stringify({
  id: '/hello',
  cmd: 'while true; do echo "hello at $(date)"; sleep 5; done',
  cpus: 0.1,
  mem: 32,
  instances: 1,
}, null, 2);

export function mount(el) {
  const list = h('div');
  const deps = h('div');
  const result = h('p', { class: 'result', 'data-testid': 'deploy-result' });
  const text = h('textarea', { rows: 14, spellcheck: 'false', 'data-testid': 'deploy-json' });
  text.value = EXAMPLE;
  const submit = h('button', { type: 'submit', class: 'primary', 'data-testid': 'deploy-submit' }, 'Deploy');
  const form = h('form', { class: 'deploy', onsubmit: deploy },
    h('label', {}, 'App definition (Marathon JSON)'), text, h('div', { class: 'row' }, submit, result));

  async function deploy(e) {
    e.preventDefault();
    let body;
    try {
      body = JSON.parse(text.value);
    } catch (err) {
      fill(result, `not JSON: ${err.message}`).className = 'result error';
      return;
    }
    submit.disabled = true;
    try {
      const r = await json('/v2/apps', { method: 'POST', body });
      fill(result, 'deploying ', h('a', { href: `#/app/${encodeURIComponent(r.id)}` }, r.id)).className = 'result ok';
      toast(`Deploying ${r.id}`);
      refresh();
    } catch (err) {
      fill(result, err.message).className = 'result error';
    } finally {
      submit.disabled = false;
    }
  }

  el.append(
    h('h1', {}, 'Apps'),
    h('section', { class: 'panel' }, list),
    h('section', { class: 'panel' }, h('h2', {}, 'Deployments'), deps),
    h('section', { class: 'panel' }, h('h2', {}, 'Deploy an app'), form));

  async function refresh() {
    const [all, ds] = await Promise.all([apps(), deployments()]);
    const byApp = new Map();
    for (const d of ds) for (const a of d.affectedApps || []) byApp.set(a, d);
    fill(list, all.length === 0 ? empty('No apps yet: deploy one below.', 'apps-empty') : h('table', {},
      h('thead', {}, h('tr', {}, ['App', 'Instances', 'Healthy', 'Running', 'Staged', 'Draining', 'Deployment']
        .map((t) => h('th', {}, t)))),
      h('tbody', {}, all.sort((a, b) => a.id.localeCompare(b.id)).map((a) => {
        const c = counts(a);
        const d = byApp.get(a.id);
        return h('tr', { 'data-testid': `app-row-${tid(a.id)}` },
          h('td', {}, h('a', { href: `#/app/${encodeURIComponent(a.id)}`, 'data-testid': 'app-link' }, a.id),
            a.autoscaling ? h('span', { class: 'tag' }, 'autoscaled') : null),
          h('td', { 'data-testid': 'instances-wanted' }, c.wanted),
          h('td', { 'data-testid': 'instances-healthy' }, c.healthy),
          h('td', { 'data-testid': 'instances-running' }, c.running),
          h('td', { 'data-testid': 'instances-staged' }, c.staged),
          h('td', { 'data-testid': 'instances-draining' }, c.draining),
          h('td', {}, d ? deploymentCell(d, a) : badge('stable', 'ok')));
      }))));
    fill(deps, ds.length === 0 ? empty('None in progress.', 'deployments-empty') : h('table', {},
      h('thead', {}, h('tr', {}, ['Deployment', 'Apps', 'Action', 'Progress', 'Started'].map((t) => h('th', {}, t)))),
      h('tbody', {}, ds.map((d) => {
        const act = (d.currentActions || [])[0] || {};
        const first = all.find((a) => (d.affectedApps || []).includes(a.id));
        return h('tr', { 'data-testid': 'deployment-row' },
          h('td', {}, h('code', {}, d.id)),
          h('td', {}, (d.affectedApps || []).join(', ')),
          h('td', {}, act.action || '–'),
          h('td', {}, deploymentCell(d, first)),
          h('td', {}, ago(d.startedAt)));
      }))));
  }
  return { refresh };
}

/**
 * Step n of m, the scheduler's explanation, and readiness checks passed; the bar shows how many of the
 * app's wanted instances are there (healthy when it has health checks, else running).
 */
export function deploymentCell(d, app) {
  const act = (d.currentActions || [])[0] || {};
  const ready = (act.readinessCheckResults || []);
  let done = d.totalSteps ? ((d.currentStep || 0) - 1) / d.totalSteps : 0;
  if (app && app.instances > 0) {
    const c = counts(app);
    done = Math.min(1, ((app.healthChecks || []).length ? c.healthy : c.running) / app.instances);
  }
  return h('div', { class: 'deployment', 'data-testid': 'deployment-progress' },
    h('progress', { max: 1, value: Math.max(0.05, done) }),
    h('span', {}, `step ${d.currentStep || '?'}/${d.totalSteps || '?'} ${act.action || ''}`),
    act.progress ? h('div', { class: 'sub' }, act.progress) : null,
    ready.length ? h('div', { class: 'sub' }, `${ready.filter((r) => r.ready).length}/${ready.length} ready`) : null);
}

// The dashboard's reads, each from the master's view endpoint (/v1/overview, /v1/agents, ...) or, on a
// master without it, derived from /master/state, so that every page shows what it can.
import { json, optionalJson } from './api.js';

export const RESOURCES = ['cpus', 'mem', 'disk', 'ports'];

function scalar(map, name) {
  const v = map ? map[name] : undefined;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return rangeCount(v);
  return 0;
}

/** "[31000-31099, 32000-32000]" -> 101 */
function rangeCount(text) {
  let n = 0;
  for (const m of text.matchAll(/(\d+)-(\d+)/g)) n += Number(m[2]) - Number(m[1]) + 1;
  return n;
}

function agentState(s) {
  if (s.drain_info) return s.drain_info.state === 'DRAINED' ? 'DRAINED' : 'DRAINING';
  return s.active ? 'ACTIVE' : 'DEACTIVATED';
}

export async function overview() {
  const o = await optionalJson('/v1/overview');
  if (o) return o;
  const state = await json('/master/state');
  const agents = { active: 0, draining: 0, unreachable: Array.isArray(state.unreachable_slaves)
    ? state.unreachable_slaves.length : (state.unreachable_slaves || 0) };
  const resources = {};
  for (const r of RESOURCES) resources[r] = { total: 0, used: 0, offered: 0 };
  for (const s of state.slaves || []) {
    const st = agentState(s);
    if (st === 'ACTIVE') agents.active++;
    else if (st === 'DRAINING' || st === 'DRAINED') agents.draining++;
    for (const r of RESOURCES) {
      resources[r].total += scalar(s.resources, r);
      resources[r].used += scalar(s.used_resources, r);
      resources[r].offered += scalar(s.offered_resources, r);
    }
  }
  const frameworks = (state.frameworks || []).map((f) => {
    let share = 0;
    for (const r of ['cpus', 'mem', 'disk']) {
      if (resources[r].total > 0) share = Math.max(share, scalar(f.used_resources, r) / resources[r].total);
    }
    return { id: f.id, name: f.name, principal: f.principal, roles: f.roles || [f.role], dominant_share: share,
      active: f.connected ?? f.active, tasks: (f.tasks || []).length };
  });
  return { agents, resources, frameworks, derived: true };
}

export async function agents() {
  const a = await optionalJson('/v1/agents');
  if (a) return a.agents;
  const state = await json('/master/state');
  const tasks = (state.frameworks || []).flatMap((f) => f.tasks || []);
  return (state.slaves || []).map((s) => ({
    id: s.id,
    hostname: s.hostname,
    address: `${s.hostname}:${s.port}`,
    state: agentState(s),
    resources: s.resources,
    used: s.used_resources,
    tasks: tasks.filter((t) => t.slave_id === s.id).map((t) => ({ id: t.id, name: t.name,
      framework_id: t.framework_id, state: t.state })),
    usage: null,
  }));
}

export function resourceScalar(map, name) {
  return scalar(map, name);
}

export async function apps() {
  const a = await json('/v2/apps?embed=apps.tasks&embed=apps.deployments');
  return a.apps || [];
}

export async function app(id) {
  const a = await json(`/v2/apps${id}?embed=app.tasks&embed=app.deployments`);
  return a.app;
}

export async function deployments() {
  return (await json('/v2/deployments')) || [];
}

/** The autoscaler's view of an app, or null when it has none (no policy, or no autoscaler). */
export async function autoscaler(id) {
  return optionalJson(`/v1/autoscaler/apps${id}`);
}

/** {points, decisions} from the master's history, or null when this master keeps none. */
export async function autoscalerHistory(id) {
  return optionalJson(`/v1/autoscaler/apps${id}/history`);
}

export async function balancers() {
  const b = await optionalJson('/v1/balancers');
  return b ? b.balancers : null;
}

/** Counts of an app's instances by what the dashboard shows. */
export function counts(app) {
  const tasks = app.tasks || [];
  return {
    wanted: app.instances,
    healthy: app.tasksHealthy || 0,
    running: app.tasksRunning || 0,
    staged: app.tasksStaged || 0,
    draining: tasks.filter((t) => t.mezzoState === 'DRAINING').length,
  };
}

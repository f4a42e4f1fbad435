// The overview and agents derived from /master/state when the master has no /v1 dashboard endpoints.
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';

const STATE = {
  slaves: [
    { id: 'S0', hostname: 'h0', port: 5051, active: true, resources: { cpus: 2, mem: 1024, disk: 100, ports: '[31000-31099]' },
      used_resources: { cpus: 1, mem: 256, disk: 0, ports: '[31000-31001]' }, offered_resources: { cpus: 0.5, mem: 0, disk: 0 } },
    { id: 'S1', hostname: 'h1', port: 5051, active: false, drain_info: { state: 'DRAINING' },
      resources: { cpus: 2, mem: 1024, disk: 100 }, used_resources: {}, offered_resources: {} },
  ],
  unreachable_slaves: 1,
  frameworks: [{ id: 'F', name: 'svc', principal: 'p', roles: ['web'], connected: true,
    used_resources: { cpus: 1, mem: 256 }, tasks: [{ id: 'T', name: 't', slave_id: 'S0', framework_id: 'F', state: 'TASK_RUNNING' }] }],
};
const calls = [];
beforeEach(() => {
  calls.length = 0;
  globalThis.sessionStorage = { getItem: () => null };
  globalThis.fetch = async (path) => {
    calls.push(path);
    if (path === '/master/state') return new Response(JSON.stringify(STATE), { status: 200 });
    return new Response('no such endpoint: GET ' + path, { status: 404 });
  };
});

const data = await import('../src/data.js');

test('without /v1/overview the overview is summed from the agents of /master/state', async () => {
  const o = await data.overview();
  assert.deepEqual(calls, ['/v1/overview', '/master/state']);
  assert.deepEqual(o.agents, { active: 1, draining: 1, unreachable: 1 });
  assert.deepEqual(o.resources.cpus, { total: 4, used: 1, offered: 0.5 });
  assert.deepEqual(o.resources.ports, { total: 100, used: 2, offered: 0 });
  assert.equal(o.frameworks.length, 1);
  assert.equal(o.frameworks[0].dominant_share, 0.25); // 1 of 4 cpus, 256 of 2048 MiB
  assert.equal(o.frameworks[0].tasks, 1);
});

test('without /v1/agents each agent lists its own tasks and its state', async () => {
  const agents = await data.agents();
  assert.deepEqual(agents.map((a) => [a.id, a.state, a.tasks.map((t) => t.id)]),
    [['S0', 'ACTIVE', ['T']], ['S1', 'DRAINING', []]]);
});

test('an answer from /v1/overview is used as it is', async () => {
  globalThis.fetch = async () => new Response(JSON.stringify({ agents: { active: 3 }, resources: {}, frameworks: [] }));
  assert.deepEqual((await data.overview()).agents, { active: 3 });
});

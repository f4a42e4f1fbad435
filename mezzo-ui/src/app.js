// The dashboard's shell: hash routing (#/, #/apps, #/app/<id>, #/task/<id>, #/agents, #/balancers)
// with no reloads, the live indicator, and the refresh loop. A page is mount(el, params) returning
// {refresh(), onEvent(e)?, unmount()?, interval?}: refresh() runs at once, after every event the page
// cares about (coalesced), and every `interval` ms (5 s by default) for the numbers no event carries.
import { connect, onEvent, onStatus } from './events.js';
import { forgetToken, token } from './api.js';
import { toast } from './dom.js';
import './app.css';
import * as overview from './pages/overview.js';
import * as appsPage from './pages/apps.js';
import * as appPage from './pages/app.js';
import * as taskPage from './pages/task.js';
import * as agentsPage from './pages/agents.js';
import * as balancersPage from './pages/balancers.js';

const routes = [
  [/^#?\/?$/, overview, 'overview'],
  [/^#\/apps$/, appsPage, 'apps'],
  [/^#\/app\/(.+)$/, appPage, 'apps'],
  [/^#\/task\/(.+)$/, taskPage, 'apps'],
  [/^#\/agents$/, agentsPage, 'agents'],
  [/^#\/balancers$/, balancersPage, 'balancers'],
];

let current = null;
let timer = null;
let pending = null;

function schedule(delay) {
  if (pending) return;
  pending = setTimeout(() => {
    pending = null;
    run();
  }, delay);
}

let running = false;
let again = false;

/** Refreshes the current page; one refresh at a time (a log tail must not read the same offset twice). */
async function run() {
  if (!current) return;
  if (running) {
    again = true;
    return;
  }
  running = true;
  again = false;
  const page = current;
  try {
    await page.refresh();
    document.body.dataset.loaded = 'true';
  } catch (e) {
    if (page === current) toast(e.message || String(e), 'error');
  } finally {
    running = false;
  }
  if (again || page !== current) run();
}

function navigate() {
  if (current && current.unmount) current.unmount();
  clearInterval(timer);
  const hash = location.hash || '#/';
  const [re, mod, nav] = routes.find(([r]) => r.test(hash)) || routes[0];
  const m = hash.match(re);
  document.querySelectorAll('[data-nav]').forEach((a) => a.classList.toggle('active', a.dataset.nav === nav));
  const el = document.getElementById('page');
  el.replaceChildren();
  el.dataset.page = mod.NAME;
  current = mod.mount(el, m ? m.slice(1).map(decodeURIComponent) : []);
  run();
  timer = setInterval(run, current.interval || 5000);
}

onEvent((e) => {
  if (!current) return;
  if (!current.onEvent || current.onEvent(e) !== false) schedule(300);
});

onStatus((s) => {
  const el = document.querySelector('.live');
  el.textContent = s;
  el.className = `live ${s}`;
});

document.addEventListener('mezzo:token', () => {
  document.getElementById('logout').hidden = false;
  schedule(0);
});
document.getElementById('logout').hidden = !token();
document.getElementById('logout').addEventListener('click', () => {
  forgetToken();
  location.reload();
});

window.addEventListener('hashchange', navigate);
navigate();
connect();

// A small element builder and formatting helpers shared by the pages.

/** h('div', {class: 'x', 'data-testid': 'y', onclick: fn}, child, ...): children may be strings, nodes, arrays, null. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'value') el.value = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces the children of `el`. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export function num(x, digits = 1) {
  if (x === null || x === undefined || Number.isNaN(x)) return '–';
  return Number.isInteger(x) ? String(x) : x.toFixed(digits);
}

export function bytes(mb) {
  if (mb === null || mb === undefined) return '–';
  return mb >= 1024 ? `${(mb / 1024).toFixed(1)} GiB` : `${Math.round(mb)} MiB`;
}

export function pct(x) {
  return x === null || x === undefined ? '–' : `${(x * 100).toFixed(1)}%`;
}

export function ago(iso) {
  if (!iso) return '–';
  const s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  if (s < 60) return `${Math.round(s)} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)} h ago`;
}

/** A name made safe for data-testid values: app ids keep their letters, digits, '-', '_' and '.'. */
export function tid(id) {
  return String(id).replace(/^\//, '').replace(/[^A-Za-z0-9_.-]/g, '_');
}

/** A state as a coloured label (Mesos' TASK_ prefix dropped). */
export function badge(text, kind) {
  const t = String(text).replace(/^TASK_/, '').toLowerCase();
  return h('span', { class: `badge ${kind || t}` }, t);
}

/** A horizontal bar of used (dark) and offered (light) parts of a total. */
export function bar(used, offered, total, testid) {
  const u = total > 0 ? Math.min(100, (used / total) * 100) : 0;
  const o = total > 0 ? Math.min(100 - u, (offered / total) * 100) : 0;
  return h('div', { class: 'bar', 'data-testid': testid },
    h('span', { class: 'used', style: `width:${u}%` }),
    h('span', { class: 'offered', style: `width:${o}%` }));
}

let toastTimer;
export function toast(message, kind = 'info') {
  const t = document.getElementById('toast');
  t.textContent = message;
  t.className = `toast ${kind}`;
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.hidden = true; }, kind === 'error' ? 8000 : 3500);
}

export function empty(text, testid) {
  return h('p', { class: 'empty', 'data-testid': testid }, text);
}

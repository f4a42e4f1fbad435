// The master's Marathon event stream (/v2/events) read with fetch() streaming, because EventSource
// cannot send the Authorization header. Parses server-sent events (event:, data:, comments, blank
// line ends an event) and hands each one to the listeners as {type, data}. Reconnects with a growing
// delay (1 s to 15 s) when the stream ends or fails; status() reports "live", "reconnecting" or
// "offline" to the header's indicator.
import { authHeaders, askToken, token } from './api.js';

const listeners = new Set();
const statusListeners = new Set();

export function onEvent(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function onStatus(fn) {
  statusListeners.add(fn);
}

function setStatus(s) {
  statusListeners.forEach((fn) => fn(s));
}

/** Splits a buffer into complete events; answers [events, rest]. */
export function parseSse(buffer) {
  const events = [];
  const blocks = buffer.split(/\r?\n\r?\n/);
  const rest = blocks.pop();
  for (const block of blocks) {
    let type = 'message';
    const data = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith(':') || line === '') continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') type = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length) events.push({ type, data: data.join('\n') });
  }
  return [events, rest];
}

export async function connect() {
  let delay = 1000;
  for (;;) {
    try {
      const sent = token();
      const res = await fetch('/v2/events', { headers: { Accept: 'text/event-stream', ...authHeaders() } });
      if (res.status === 401) {
        if (token() === sent) await askToken();
        continue;
      }
      if (!res.ok || !res.body) throw new Error(`events: ${res.status}`);
      setStatus('live');
      delay = 1000;
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        const [events, rest] = parseSse(buffer);
        buffer = rest;
        for (const e of events) {
          let data;
          try {
            data = JSON.parse(e.data);
          } catch {
            data = e.data;
          }
          listeners.forEach((fn) => fn({ type: e.type, data }));
        }
      }
      setStatus('reconnecting');
    } catch {
      setStatus('offline');
    }
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 15000);
  }
}

// parseSse: server-sent events split at any byte boundary, as fetch() streaming delivers them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSse } from '../src/events.js';

test('events are parsed once complete and the rest is kept for the next chunk', () => {
  const stream = ': connected\n\nevent: status_update_event\ndata: {"appId":"/a","taskStatus":"TASK_RUNNING"}\n\n'
    + ': ping\n\nevent: autoscale_event\ndata: {"appId":"/b",\ndata: "desired":3}\n\nevent: deployment_info\ndata: {"x"';
  const seen = [];
  let buffer = '';
  for (let i = 0; i < stream.length; i += 7) {
    buffer += stream.slice(i, i + 7);
    const [events, rest] = parseSse(buffer);
    seen.push(...events);
    buffer = rest;
  }
  assert.deepEqual(seen, [
    { type: 'status_update_event', data: '{"appId":"/a","taskStatus":"TASK_RUNNING"}' },
    { type: 'autoscale_event', data: '{"appId":"/b",\n"desired":3}' },
  ]);
  assert.equal(buffer, 'event: deployment_info\ndata: {"x"');
});

test('CRLF line ends and a data line without a type are a "message"', () => {
  const [events, rest] = parseSse('data: hello\r\n\r\n');
  assert.deepEqual(events, [{ type: 'message', data: 'hello' }]);
  assert.equal(rest, '');
});

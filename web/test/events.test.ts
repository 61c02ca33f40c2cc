import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventStore, lowerBound } from '../src/events';
import type { MemEvent } from '../src/types';

const gc = (ts: number, index: number, generation = 0): MemEvent => ({ ts, type: 'gc', index, generation, pause: 0.001, details: true });

test('events are kept in time order without duplicates', () => {
  const s = new EventStore();
  s.load([gc(30, 3), gc(10, 1), gc(20, 2)]);
  assert.deepEqual(s.all.map((e) => e.ts), [10, 20, 30]);
  assert.equal(s.add(gc(20, 2)), false, 'the same GC index again');
  assert.equal(s.add(gc(25, 4)), true);
  assert.deepEqual(s.all.map((e) => e.ts), [10, 20, 25, 30]);
});

test('a release from the POST answer and the same one from the stream count once', () => {
  const s = new EventStore();
  const result = { ts: 100, description: 'Release memory: …' };
  assert.equal(s.add({ ts: 100, type: 'action.release', result }), true);
  assert.equal(s.add({ ts: 100, type: 'action.release', description: 'Release memory: …', result: { ...result } }), false);
  assert.equal(s.all.length, 1);
});

test('trimming drops what is older than the window', () => {
  const s = new EventStore();
  s.load([gc(10, 1), gc(20, 2), gc(30, 3)]);
  s.trim(20);
  assert.deepEqual(s.all.map((e) => e.index), [2, 3]);
  assert.equal(s.add(gc(10, 1)), true, 'a trimmed event is forgotten');
});

test('lowerBound finds the first event at or after a time', () => {
  const all = [gc(10, 1), gc(20, 2), gc(20, 3), gc(30, 4)];
  assert.equal(lowerBound(all, 5), 0);
  assert.equal(lowerBound(all, 20), 1);
  assert.equal(lowerBound(all, 21), 3);
  assert.equal(lowerBound(all, 31), 4);
});

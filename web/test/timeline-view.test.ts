import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventText, kindOf, timelineRows, typeLabel } from '../src/timeline-view';
import type { MemEvent } from '../src/types';

const gc = (ts: number, generation: number): MemEvent => ({ ts, type: 'gc', index: ts, generation, description: `GC #${ts} gen${generation}` });

const events: MemEvent[] = [
  gc(10, 0),
  { ts: 15, type: 'source.note', message: 'a note without description' },
  gc(20, 2),
  { ts: 25, type: 'action.release', description: 'Release memory: RSS 512 MiB → 120 MiB' },
  gc(30, 0),
  { ts: 40, type: 'process.exit', description: 'process 4242 exited' },
];

test('the rows are the events of the range, in time order, with a label and one line each', () => {
  const t = timelineRows(events, 15, 30, true);
  assert.deepEqual(
    t.rows.map((r) => [r.ts, r.label, r.text, r.kind]),
    [
      [15, 'Note', 'a note without description', 'note'],
      [20, 'GC', 'GC #20 gen2', 'gc'],
      [25, 'Release memory', 'Release memory: RSS 512 MiB → 120 MiB', 'action'],
      [30, 'GC', 'GC #30 gen0', 'gc'],
    ],
  );
  assert.equal(t.rows[1].generation, 2);
  assert.equal(t.collections, 2);
  assert.equal(t.matching, 4);
});

test('GCs can be left out, and are still counted', () => {
  const t = timelineRows(events, 0, 100, false);
  assert.deepEqual(
    t.rows.map((r) => r.type),
    ['source.note', 'action.release', 'process.exit'],
  );
  assert.equal(t.collections, 3);
  assert.equal(t.matching, 3);
});

test('a range with more events than the most rows lists the newest', () => {
  const t = timelineRows(events, 0, 100, true, 2);
  assert.deepEqual(
    t.rows.map((r) => r.ts),
    [30, 40],
  );
  assert.equal(t.matching, 6);
});

test('kinds, labels and text fallbacks', () => {
  assert.equal(kindOf({ ts: 1, type: 'go.gc' }), 'gc');
  assert.equal(kindOf({ ts: 1, type: 'action.snapshot' }), 'action');
  assert.equal(kindOf({ ts: 1, type: 'source.error' }), 'error');
  assert.equal(kindOf({ ts: 1, type: 'go.trace.malformed' }), 'error');
  assert.equal(typeLabel('process.exit'), 'Process exit');
  assert.equal(typeLabel('something.new'), 'something.new');
  assert.equal(eventText({ ts: 1, type: 'something.new' }), 'something.new');
});

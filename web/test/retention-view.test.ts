import assert from 'node:assert/strict';
import { test } from 'node:test';
import { barFraction, buildTree, PAGE, pathLabels, visibleRows, type TreeRow } from '../src/retention-view';
import { diffRowViews, heldByText } from '../src/snapshot-view';
import type { RetentionNodeJson } from '../src/types';

function node(id: number, parent: number, label: string, retained: number, extra: Partial<RetentionNodeJson> = {}): RetentionNodeJson {
  return { id, parent, kind: parent === -1 ? 'root' : 'type', label, count: 1, bytes: 10, retained, ...extra };
}

const leak = [
  node(0, -1, 'static Hub.Changed', 5000),
  node(1, 0, 'System.EventHandler', 4990),
  node(2, 1, 'Leaky.Session', 4000),
  node(3, 2, 'System.Byte[]', 3000),
  node(4, -1, 'pinned handle', 9000),
  node(5, 4, 'System.String', 100),
];

const labelsOf = (rows: TreeRow[]) => rows.map((r) => (r.kind === 'node' ? r.node.label : r.kind));

test('roots come largest first, children only under an expanded node, with their depth', () => {
  const tree = buildTree(leak);
  assert.equal(tree.total, 14000);
  assert.deepEqual(labelsOf(visibleRows(tree, new Set(), new Map())), ['pinned handle', 'static Hub.Changed']);
  const open = visibleRows(tree, new Set([0, 1, 2]), new Map());
  assert.deepEqual(labelsOf(open), ['pinned handle', 'static Hub.Changed', 'System.EventHandler', 'Leaky.Session', 'System.Byte[]']);
  assert.deepEqual(
    open.map((r) => r.depth),
    [0, 0, 1, 2, 3],
  );
  const byte = open[4];
  assert.ok(byte.kind === 'node' && !byte.expandable && !byte.expanded);
  const hub = open[1];
  assert.ok(hub.kind === 'node' && hub.expandable && hub.expanded);
});

test('the path of a node runs from its root down to it', () => {
  const tree = buildTree(leak);
  assert.deepEqual(pathLabels(tree, 3), ['static Hub.Changed', 'System.EventHandler', 'Leaky.Session', 'System.Byte[]']);
  assert.deepEqual(pathLabels(tree, 99), []);
});

test('a level shows PAGE rows then a "more" row; asking for more shows more', () => {
  const many = [node(0, -1, 'static Big.Cache', 1e9), ...Array.from({ length: 130 }, (_, i) => node(i + 1, 0, `T${i}`, 1000 - i))];
  const tree = buildTree(many);
  const rows = visibleRows(tree, new Set([0]), new Map());
  assert.equal(rows.length, 1 + PAGE + 1);
  const more = rows[rows.length - 1];
  assert.ok(more.kind === 'more' && more.hidden === 130 - PAGE && more.parent === 0 && more.depth === 1);
  const all = visibleRows(tree, new Set([0]), new Map([[0, 500]]));
  assert.equal(all.length, 131);
  assert.equal(all.at(-1)!.kind, 'node');
});

test('children the server did not send are said, and make a node expandable', () => {
  const tree = buildTree([node(0, -1, 'stack', 100, { notSentChildren: 7, notSentRetained: 42 })]);
  const rows = visibleRows(tree, new Set([0]), new Map());
  assert.deepEqual(labelsOf(rows), ['stack', 'not-sent']);
  const note = rows[1];
  assert.ok(note.kind === 'not-sent' && note.count === 7 && note.retained === 42);
});

test('a damaged answer (missing parent, self-parent) leaves those nodes out, counted, and never loops', () => {
  const tree = buildTree([node(0, -1, 'r', 10), node(1, 77, 'lost', 5), node(2, 2, 'self', 5)]);
  assert.equal(tree.orphans, 2);
  assert.deepEqual(labelsOf(visibleRows(tree, new Set([0, 1, 2]), new Map())), ['r']);
});

test('labels are kept exactly as sent, markup and control characters included', () => {
  const evil = '<img src=x onerror=alert(1)>\n\u0000';
  const tree = buildTree([node(0, -1, 'r', 10), node(1, 0, evil, 5)]);
  assert.deepEqual(pathLabels(tree, 1), ['r', evil]);
});

test('bars are a share of what the roots retain, within 0 … 1', () => {
  assert.equal(barFraction(50, 200), 0.25);
  assert.equal(barFraction(500, 200), 1);
  assert.equal(barFraction(-1, 200), 0);
  assert.equal(barFraction(5, 0), 0);
  assert.equal(barFraction(Number.NaN, 10), 0);
});

test('diff rows sort by retained growth when asked, rows without retained figures counting 0', () => {
  const rows = diffRowViews(
    [
      { name: 'System.Byte[]', countBefore: 0, countAfter: 10, bytesBefore: 0, bytesAfter: 10000, retainedBefore: 0, retainedAfter: 10000 },
      { name: 'Leaky.Session', countBefore: 0, countAfter: 10, bytesBefore: 0, bytesAfter: 480, retainedBefore: 0, retainedAfter: 10480 },
      { name: 'Plain', countBefore: 0, countAfter: 10, bytesBefore: 0, bytesAfter: 20000 },
    ],
    'retained',
  );
  assert.deepEqual(
    rows.map((r) => r.name),
    ['Leaky.Session', 'System.Byte[]', 'Plain'],
  );
  assert.equal(rows[0].retainedDelta, 10480);
  assert.equal(rows[2].retainedDelta, null);
  assert.deepEqual(
    diffRowViews(rows).map((r) => r.name),
    ['Plain', 'System.Byte[]', 'Leaky.Session'],
  );
});

test('the held-by cell is the path and what it holds now with the change', () => {
  const MiB = 1024 * 1024;
  assert.deepEqual(heldByText({ path: 'static Hub.Changed → Session', countBefore: 1, countAfter: 3, bytesBefore: MiB, bytesAfter: 3 * MiB }), {
    path: 'static Hub.Changed → Session',
    change: '3.0 MiB (+2.0 MiB)',
  });
  assert.equal(heldByText(null), null);
});

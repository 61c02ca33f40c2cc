import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesDelta, countDelta, defaultPair, diffRowViews, formatCountExact, share, summaryLine } from '../src/snapshot-view';
import type { SnapshotSummary } from '../src/types';

const MiB = 1024 * 1024;

test('diff rows carry their changes and are sorted by bytes added, then count, then name', () => {
  const rows = diffRowViews([
    { name: 'Shrinking', countBefore: 10, countAfter: 5, bytesBefore: 1000, bytesAfter: 500 },
    { name: 'Same', countBefore: 3, countAfter: 3, bytesBefore: 30, bytesAfter: 30 },
    { name: 'b.Grower', countBefore: 0, countAfter: 100, bytesBefore: 0, bytesAfter: 4000 },
    { name: 'a.Grower', countBefore: 0, countAfter: 100, bytesBefore: 0, bytesAfter: 4000 },
    { name: 'MoreObjects', countBefore: 0, countAfter: 200, bytesBefore: 0, bytesAfter: 4000 },
  ]);
  assert.deepEqual(
    rows.map((r) => r.name),
    ['MoreObjects', 'a.Grower', 'b.Grower', 'Same', 'Shrinking'],
  );
  assert.equal(rows[0].bytesDelta, 4000);
  assert.equal(rows[0].countDelta, 200);
  assert.equal(rows[0].growth, 'up');
  assert.equal(rows[3].growth, 'same');
  assert.equal(rows[4].growth, 'down');
  assert.equal(rows[4].bytesDelta, -500);
});

test('names sort by UTF-16 code units, like the server', () => {
  const rows = diffRowViews([
    { name: 'b', countBefore: 0, countAfter: 0, bytesBefore: 0, bytesAfter: 0 },
    { name: 'B', countBefore: 0, countAfter: 0, bytesBefore: 0, bytesAfter: 0 },
  ]);
  assert.deepEqual(
    rows.map((r) => r.name),
    ['B', 'b'],
  );
});

test('shares and changes are written for people', () => {
  assert.equal(share(25, 200), '12.5%');
  assert.equal(share(1, 10_000), '<0.1%');
  assert.equal(share(0, 100), '0.0%');
  assert.equal(share(5, 0), '—');
  assert.equal(share(5, null), '—');
  assert.equal(countDelta(1234), '+1,234');
  assert.equal(countDelta(-12), '−12');
  assert.equal(countDelta(0), '±0');
  assert.equal(bytesDelta(1.5 * MiB), '+1.5 MiB');
  assert.equal(bytesDelta(-4096), '−4.0 KiB');
  assert.equal(formatCountExact(1234567), '1,234,567');
  assert.equal(formatCountExact(null), '—');
});

const snap = (id: string, extra: Partial<SnapshotSummary> = {}): SnapshotSummary => ({
  id,
  ts: 0,
  durationMs: 2500,
  totalObjects: 1_234_567,
  totalBytes: 256 * MiB,
  types: 3120,
  ...extra,
});

test('a summary line gives the figures, a failure its reason, a partial snapshot its note', () => {
  assert.equal(summaryLine(snap('s1')), '1,234,567 objects · 256.0 MiB · 3,120 types · took 2.5 s');
  assert.equal(summaryLine(snap('s2', { error: 'process 4242 exited', totalObjects: null, totalBytes: null, types: null })), 'failed: process 4242 exited');
  assert.ok(summaryLine(snap('s3', { truncated: true, note: 'size limit' })).endsWith(' · partial: size limit'));
});

test('the two newest snapshots that were taken are compared by default, older first', () => {
  assert.deepEqual(defaultPair([snap('s4', { error: 'x' }), snap('s3'), snap('s2'), snap('s1')]), ['s2', 's3']);
  assert.equal(defaultPair([snap('s1')]), null);
  assert.equal(defaultPair([]), null);
});

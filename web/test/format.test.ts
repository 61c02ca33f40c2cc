import assert from 'node:assert/strict';
import { test } from 'node:test';
import { axisTicks, bytesIncrs, formatBytes, formatDelta, formatSeconds, formatValue, timeTicks } from '../src/format';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

test('bytes are IEC with one decimal and the unit', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(1536), '1.5 KiB');
  assert.equal(formatBytes(129 * MiB), '129.0 MiB');
  assert.equal(formatBytes(1.5 * GiB), '1.5 GiB');
  assert.equal(formatBytes(-4096), '-4.0 KiB');
  assert.equal(formatBytes(2048 * GiB), '2.0 TiB');
  assert.equal(formatBytes(129 * MiB, true), '129 MiB');
});

test('every unit is formatted for people', () => {
  assert.equal(formatValue(2.5 * MiB, 'bytes/s'), '2.5 MiB/s');
  assert.equal(formatValue(0.0031, 'seconds'), '3.1 ms');
  assert.equal(formatValue(0.00025, 'seconds'), '250 µs');
  assert.equal(formatValue(1.25, 'seconds'), '1.25 s');
  assert.equal(formatValue(14, 'count'), '14');
  assert.equal(formatValue(14.5, 'count'), '14.5');
  assert.equal(formatValue(12345.6, 'count'), '12,346');
  assert.equal(formatValue(0.05, 'count/s'), '0.05/s');
  assert.equal(formatValue(0.456, 'ratio'), '45.6%');
  assert.equal(formatValue(null, 'bytes'), '—');
  assert.equal(formatValue(Number.NaN, 'bytes'), '—');
  assert.equal(formatSeconds(0), '0 s');
});

test('a difference carries its sign', () => {
  assert.equal(formatDelta(-392 * MiB, 'bytes'), '−392.0 MiB');
  assert.equal(formatDelta(1.2 * MiB, 'bytes'), '+1.2 MiB');
  assert.equal(formatDelta(0, 'bytes'), '±0 B');
});

test('bytes ticks fall on round figures of the axis unit', () => {
  const incrs = bytesIncrs(0, 400 * MiB);
  assert.ok(incrs.includes(50 * MiB) && incrs.includes(100 * MiB));
  assert.deepEqual(axisTicks('bytes', [0, 100 * MiB, 200 * MiB], 100 * MiB, 0, 400 * MiB), ['0', '100 MiB', '200 MiB']);
  assert.deepEqual(axisTicks('bytes', [60.1 * MiB, 60.2 * MiB], 0.1 * MiB, 60 * MiB, 60.4 * MiB), ['60.1 MiB', '60.2 MiB']);
  assert.deepEqual(axisTicks('bytes/s', [5 * MiB], 5 * MiB, 0, 25 * MiB), ['5 MiB/s']);
});

test('an axis spanning a sliver of a large value keeps a readable unit', () => {
  const min = 50.4 * GiB;
  const max = min + 4 * MiB; // 0.0039 GiB: three decimals of GiB tell the ticks apart
  const ticks = axisTicks('bytes', [50.401 * GiB, 50.402 * GiB], 0.001 * GiB, min, max);
  assert.deepEqual(ticks, ['50.401 GiB', '50.402 GiB']);
  const tiny = axisTicks('bytes', [min, min + MiB], MiB, min, min + MiB); // below 0.002 GiB: MiB
  assert.ok(tiny[0].endsWith(' MiB'), tiny[0]);
});

test('ticks get the decimals their step needs', () => {
  assert.deepEqual(axisTicks('seconds', [0, 0.0025, 0.005], 0.0025, 0, 0.01), ['0', '2.5 ms', '5.0 ms']);
  assert.deepEqual(axisTicks('ratio', [0.2, 0.25], 0.05, 0.2, 0.3), ['20%', '25%']);
  assert.deepEqual(axisTicks('count/s', [0, 0.25], 0.25, 0, 1), ['0.00/s', '0.25/s']);
  assert.deepEqual(axisTicks('count', [14, 15], 1, 14, 16), ['14', '15']);
});

test('time ticks show the date under the first tick and where the day changes', () => {
  const day = new Date(2026, 10, 21, 23, 0, 0).getTime();
  const labels = timeTicks([day, day + 3_600_000, day + 7_200_000], 3_600_000);
  assert.deepEqual(labels, ['23:00\nNov 21', '00:00\nNov 22', '01:00']);
  assert.deepEqual(timeTicks([day], 30_000), ['23:00:00\nNov 21']);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applies, axisOf, heldSeriesIds, rightUnit, seriesLabel, unitOf } from '../src/chart-def';
import type { ChartDef } from '../src/types';

// Shaped like the server's charts (src/MemLens.AspNetCore/Dashboard/DashboardCharts.cs).
const gap: ChartDef = {
  id: 'gap',
  title: 'The gap: RSS − GC committed',
  unit: 'bytes',
  requires: ['dotnet.gc.committed'],
  series: [
    { id: 'derived.gap', label: 'RSS − GC committed', unit: 'bytes', fill: true },
    { id: 'process.memory.rss', label: 'RSS', unit: 'bytes' },
    { id: 'dotnet.gc.committed', label: 'GC committed', unit: 'bytes' },
  ],
};

const memstats: ChartDef = {
  id: 'go-memstats',
  title: 'Go memory (MemStats)',
  unit: 'bytes',
  requires: ['go.memstats.sys', 'go.memstats.heap_sys'],
  series: [
    { id: 'go.memstats.sys', label: 'Sys', unit: 'bytes' },
    { id: 'go.memstats.heap_sys', label: 'HeapSys', unit: 'bytes' },
    { id: 'process.memory.rss', label: 'RSS', unit: 'bytes' },
    { id: 'process.memory.virtual', label: 'VSZ', unit: 'bytes', axis: 'y2' },
  ],
};

const processChart: ChartDef = {
  id: 'process',
  title: 'Process memory',
  unit: 'bytes',
  series: [{ id: 'process.memory.rss', label: 'RSS' }],
};

const has = (...ids: string[]) => (id: string) => ids.includes(id);

test('a chart without requires shows when any of its series has data', () => {
  assert.equal(applies(processChart, has('process.memory.rss')), true);
  assert.equal(applies(processChart, has()), false);
  assert.equal(applies({ ...processChart, requires: [] }, has('process.memory.rss')), true);
});

test('RSS alone does not show a chart that requires a runtime series', () => {
  // A Go process: RSS and VSZ, MemStats, no .NET GC.
  const goProcess = has('process.memory.rss', 'process.memory.virtual', 'go.memstats.sys', 'go.memstats.heap_sys');
  assert.equal(applies(gap, goProcess), false);
  assert.equal(applies(memstats, goProcess), true);
  assert.equal(applies(processChart, goProcess), true);

  // A .NET process: the gap, not the Go chart, though RSS and VSZ are in both.
  const dotnet = has('process.memory.rss', 'process.memory.virtual', 'dotnet.gc.committed', 'derived.gap');
  assert.equal(applies(gap, dotnet), true);
  assert.equal(applies(memstats, dotnet), false);
});

test('a required series with data is not enough when no series of the chart has any', () => {
  assert.equal(applies({ ...gap, requires: ['elsewhere'] }, has('elsewhere')), false);
});

test('series go on the left axis unless the catalog says y2', () => {
  const [sys, , , vsz] = memstats.series!;
  assert.equal(axisOf(sys), 'y');
  assert.equal(axisOf(vsz), 'y2');
  assert.equal(axisOf({ id: 'x', label: 'x', axis: 'y3' }), 'y'); // unknown: left
  assert.equal(seriesLabel(vsz), 'VSZ (right axis)');
  assert.equal(seriesLabel(sys), 'Sys');
});

test('the right axis takes the unit of its first series, and exists only when a series is on it', () => {
  assert.equal(rightUnit(memstats), 'bytes');
  assert.equal(rightUnit(processChart), null);
  assert.equal(rightUnit({ id: 'gc', title: 'GC pauses', unit: 'seconds', kind: 'gc-pauses' }), null);
  const mixed: ChartDef = {
    id: 'scav',
    title: 'Scavenger',
    unit: 'bytes',
    series: [
      { id: 'a', label: 'A' },
      { id: 'rate:b', label: 'B/s', unit: 'bytes/s', axis: 'y2' },
      { id: 'c', label: 'C', axis: 'y2' },
    ],
  };
  assert.equal(rightUnit(mixed), 'bytes/s');
  assert.equal(unitOf(mixed, mixed.series![2]), 'bytes'); // no unit of its own: the chart's
});

test('the page holds every series and every required id once', () => {
  const withOther: ChartDef = { ...processChart, id: 'other', requires: ['only.required'] };
  assert.deepEqual(heldSeriesIds([gap, memstats, withOther]), [
    'derived.gap',
    'process.memory.rss',
    'dotnet.gc.committed',
    'go.memstats.sys',
    'go.memstats.heap_sys',
    'process.memory.virtual',
    'only.required',
  ]);
});

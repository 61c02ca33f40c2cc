import assert from 'node:assert/strict';
import { test } from 'node:test';
import { presetRange } from '../src/presets';
import { eventsCutNote, eventsInRange, parseReport, sliceSeries } from '../src/report-data';
import type { ReportData, SeriesResponse } from '../src/types';

const T0 = 1_763_800_000_000;
const STEP = 60_000;

const series: SeriesResponse = {
  from: T0,
  to: T0 + 10 * STEP - 1,
  step: STEP,
  downsampled: true,
  t: [0, 1, 2, 3, 5, 6, 7, 8, 9].map((i) => T0 + i * STEP), // no bucket 4: no value there
  series: {
    a: { v: [0, 1, 2, 3, 5, 6, 7, 8, 9], min: [0, 0, 1, 2, 4, 5, 6, 7, 8], max: [1, 2, 3, 4, 6, 7, 8, 9, 10] },
    b: { v: [null, 1, null, 3, 5, null, 7, null, 9] },
  },
};

test('a zoom is a slice of the embedded buckets, one more on each side', () => {
  const s = sliceSeries(series, T0 + 2 * STEP + 10, T0 + 6 * STEP + 10);
  assert.deepEqual(
    s.t.map((t) => (t - T0) / STEP),
    [1, 2, 3, 5, 6, 7],
  );
  assert.deepEqual(s.series.a.v, [1, 2, 3, 5, 6, 7]);
  assert.deepEqual(s.series.a.min, [0, 1, 2, 4, 5, 6]);
  assert.deepEqual(s.series.b.v, [1, null, 3, 5, null, 7]);
  assert.equal(s.series.b.min, undefined);
  assert.equal(s.step, STEP);
  assert.equal(s.from, T0 + 2 * STEP + 10);
  // The slice is a copy: the page may change what it loads.
  s.series.a.v[0] = 99;
  assert.equal(series.series.a.v[1], 1);
});

test('slices at the edges and outside the data', () => {
  assert.equal(sliceSeries(series, T0 - 5 * STEP, T0 + 100 * STEP).t.length, 9);
  assert.deepEqual(sliceSeries(series, T0, T0).t, [T0, T0 + STEP]);
  assert.deepEqual(sliceSeries(series, T0 + 20 * STEP, T0 + 30 * STEP).t, [T0 + 9 * STEP]);
});

test('events of a range, both ends included', () => {
  const events = [10, 20, 20, 30].map((ts) => ({ ts, type: 'note' }));
  assert.deepEqual(
    eventsInRange(events, 20, 30).map((e) => e.ts),
    [20, 20, 30],
  );
  assert.deepEqual(eventsInRange(events, 31, 40), []);
});

test('presets of a recording end at its newest sample, not now', () => {
  const end = T0 + 7 * 86_400_000;
  assert.deepEqual(presetRange('1h', end, T0), { from: end - 3_600_000, to: end });
  assert.deepEqual(presetRange('all', end, T0), { from: T0, to: end });
  assert.deepEqual(presetRange('all', end, null), { from: end - 60_000, to: end });
  assert.deepEqual(presetRange('all', end, end - 5000), { from: end - 60_000, to: end });
  // A recording of five seconds is shown as five seconds, not as the last minute.
  assert.deepEqual(presetRange('all', end, end - 5000, false), { from: end - 5000, to: end });
  assert.deepEqual(presetRange('1h', end, end - 5000, false), { from: end - 3_600_000, to: end });
  assert.deepEqual(presetRange('all', end, end, false), { from: end - 60_000, to: end });
});

test('the embedded data is read when it has the shapes the page needs, refused otherwise', () => {
  const ok = parseReport(JSON.stringify({ version: 1, generatedTs: T0, from: T0, to: T0, catalog: { charts: [] }, series }));
  assert.ok(ok);
  assert.deepEqual(ok!.events.events, []);
  assert.ok('error' in ok!.findings);
  assert.equal(parseReport('{"catalog": {}}'), null);
  assert.equal(parseReport('not json'), null);
  assert.equal(parseReport('null'), null);
  // What the server escapes for HTML reads back as the original text.
  const escaped = parseReport('{"catalog":{"title":"\\u003c/script\\u003e","charts":[]},"series":{"t":[]}}');
  assert.equal(escaped!.catalog.title, '</script>');
});

test('a report that kept only some events says how many of how many, and which', () => {
  const r = { events: { events: [{ ts: 1, type: 'gc' }], truncated: true, total: 62_000 } } as unknown as ReportData;
  assert.match(eventsCutNote(r)!, /keeps 1 of the 62,000 events/);
  const all = { events: { events: [{ ts: 1, type: 'gc' }], truncated: false, total: 1 } } as unknown as ReportData;
  assert.equal(eventsCutNote(all), null);
});

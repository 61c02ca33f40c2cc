import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SeriesStore } from '../src/data';

const T0 = 1_000_000_000_000;

function loaded(step: number) {
  const s = new SeriesStore(['a', 'b'], 1000);
  s.load({
    from: T0,
    to: T0 + 3 * step - 1,
    step,
    t: [T0, T0 + step, T0 + 2 * step],
    series: { a: { v: [1, 2, 3], min: [0, 2, 3], max: [2, 2, 3] }, b: { v: [10, null, 30] } },
  });
  return s;
}

test('loading keeps min/max when the server sends them and copies the means otherwise', () => {
  const s = loaded(1000);
  assert.equal(s.cols.get('a')!.banded, true);
  assert.deepEqual(s.cols.get('a')!.min, [0, 2, 3]);
  assert.equal(s.cols.get('b')!.banded, false);
  assert.deepEqual(s.cols.get('b')!.max, [10, null, 30]);
  assert.equal(s.hasData('b'), true);
});

test('a series missing from the answer is all nulls, and hidden', () => {
  const s = new SeriesStore(['a', 'missing'], 1000);
  s.load({ from: T0, to: T0 + 1000, step: 1000, t: [T0], series: { a: { v: [1] } } });
  assert.deepEqual(s.cols.get('missing')!.v, [null]);
  assert.equal(s.hasData('missing'), false);
});

test('1 s samples go into new buckets when the step is the interval', () => {
  const s = loaded(1000);
  assert.equal(s.append({ ts: T0 + 3000, values: { a: 4, b: 40 } }), true);
  assert.deepEqual(s.t, [T0, T0 + 1000, T0 + 2000, T0 + 3000]);
  assert.deepEqual(s.cols.get('a')!.v, [1, 2, 3, 4]);
  assert.equal(s.append({ ts: T0 + 1500, values: { a: 9 } }), false, 'older than the newest bucket');
});

test('samples are merged into the last bucket of a downsampled range: running mean, min, max', () => {
  const s = new SeriesStore(['a'], 1000);
  s.load({ from: T0, to: T0 + 9999, step: 10_000, t: [T0], series: { a: { v: [5] } } });
  // The only bucket is complete: 10 samples of mean 5.
  s.append({ ts: T0 + 10_000, values: { a: 10 } });
  s.append({ ts: T0 + 11_000, values: { a: 20 } });
  s.append({ ts: T0 + 12_000, values: {} });
  const a = s.cols.get('a')!;
  assert.deepEqual(s.t, [T0, T0 + 10_000]);
  assert.equal(a.v[1], 15);
  assert.equal(a.min[1], 10);
  assert.equal(a.max[1], 20);
  assert.equal(a.banded, true);
  // Past the bucket: a new one on the same grid.
  s.append({ ts: T0 + 25_500, values: { a: 1 } });
  assert.deepEqual(s.t, [T0, T0 + 10_000, T0 + 20_000]);
});

test('trimming drops buckets before the window and keeps at most the cap', () => {
  const s = loaded(1000);
  s.trim(T0 + 1500, 100);
  assert.deepEqual(s.t, [T0 + 1000, T0 + 2000]);
  assert.deepEqual(s.cols.get('a')!.min, [2, 3]);
  s.trim(0, 1);
  assert.deepEqual(s.t, [T0 + 2000]);
  assert.deepEqual(s.cols.get('b')!.v, [30]);
});

test('every change bumps the version the charts compare', () => {
  const s = loaded(1000);
  const v = s.version;
  s.append({ ts: T0 + 5000, values: { a: 1 } });
  assert.ok(s.version > v);
});

test('a series merged into a bucket is averaged over its own samples, not over samples of other series', () => {
  // Sources sample at different moments: a round without `a` must not count as one of a's samples.
  const s = new SeriesStore(['a', 'b'], 1000);
  s.load({ from: T0, to: T0 + 9999, step: 10_000, t: [T0], series: { a: { v: [5] }, b: { v: [1] } } });
  s.append({ ts: T0 + 10_000, values: { a: 10 } });
  s.append({ ts: T0 + 10_300, values: { b: 2 } });
  s.append({ ts: T0 + 11_000, values: { a: 20 } });
  s.append({ ts: T0 + 11_300, values: { b: 4 } });
  s.append({ ts: T0 + 12_000, values: {} });
  s.append({ ts: T0 + 13_000, values: { a: 30 } });
  assert.equal(s.cols.get('a')!.v[1], 20);
  assert.equal(s.cols.get('b')!.v[1], 3);
});

test('live samples into an empty store start buckets with their own counts', () => {
  const s = new SeriesStore(['a'], 1000);
  s.append({ ts: T0, values: { a: 2 } });
  s.append({ ts: T0 + 500, values: { a: 4 } });
  assert.deepEqual(s.t, [T0]);
  assert.equal(s.cols.get('a')!.v[0], 3);
});

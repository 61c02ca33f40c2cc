// The browser's copy of the series: one shared time axis and, per series id, mean/min/max arrays.
// Loaded from api/series, then extended by live samples. Live samples are merged into buckets of
// the loaded step, so a 24 h view keeps its resolution instead of filling up with 1 s points.

import type { Sample, SeriesResponse, Values } from './types';

export interface Column {
  v: Values;
  min: Values;
  max: Values;
  /** The server sent min/max (a downsampled range) or live merging made them differ from v. */
  banded: boolean;
}

export class SeriesStore {
  t: number[] = [];
  cols = new Map<string, Column>();
  /** Bucket width in ms (the server's step). */
  step = 1000;
  /**
   * How many samples of each series each bucket holds, for running means; loaded buckets get an estimate. Per series:
   * sources sample at different moments, and a round without a series' value is not one of its samples.
   */
  private counts = new Map<string, number[]>();
  /** Bumped whenever the arrays are replaced or changed, so charts know to redraw. */
  version = 0;

  constructor(
    readonly ids: string[],
    private readonly intervalMs: number,
  ) {
    for (const id of ids) this.cols.set(id, emptyColumn());
  }

  /** Replaces everything with a server answer. */
  load(res: SeriesResponse): void {
    const n = res.t.length;
    this.t = res.t.slice();
    this.step = Math.max(res.step || this.intervalMs, 1);
    const full = Math.max(1, Math.round(this.step / this.intervalMs));
    const counts = new Array<number>(n).fill(full);
    // The last bucket is usually partial: estimate how many samples it has from the range's end.
    if (n > 0) {
      const partial = Math.round((res.to - res.t[n - 1] + 1) / this.intervalMs);
      counts[n - 1] = Math.max(1, Math.min(full, partial));
    }
    this.counts = new Map(this.ids.map((id) => [id, counts.slice()]));
    for (const id of this.ids) {
      const s = res.series[id];
      if (!s || s.v.length !== n) {
        this.cols.set(id, { v: nulls(n), min: nulls(n), max: nulls(n), banded: false });
        continue;
      }
      const banded = !!(s.min && s.max && s.min.length === n && s.max.length === n);
      this.cols.set(id, {
        v: s.v,
        min: banded ? s.min! : s.v.slice(),
        max: banded ? s.max! : s.v.slice(),
        banded,
      });
    }
    this.version++;
  }

  /**
   * Merges one live sample. Returns false when the sample is older than the newest bucket's
   * start (already covered by loaded data).
   */
  append(sample: Sample): boolean {
    const n = this.t.length;
    const ts = sample.ts;
    const last = n > 0 ? this.t[n - 1] : -Infinity;
    if (n > 0 && ts < last) return false;
    if (n > 0 && ts < last + this.step) {
      // Same bucket: running mean (over this series' own samples), widen min/max.
      for (const [id, col] of this.cols) {
        const x = sample.values[id];
        if (x == null) continue;
        const i = n - 1;
        const counts = this.countsOf(id);
        const old = col.v[i];
        if (old == null) {
          col.v[i] = x;
          col.min[i] = x;
          col.max[i] = x;
          counts[i] = 1;
        } else {
          const k = counts[i] || 1;
          col.v[i] = (old * k + x) / (k + 1);
          counts[i] = k + 1;
          const mn = col.min[i];
          const mx = col.max[i];
          if (mn == null || x < mn) col.min[i] = x;
          if (mx == null || x > mx) col.max[i] = x;
          if (col.min[i] !== col.v[i] || col.max[i] !== col.v[i]) col.banded = true;
        }
      }
    } else {
      // New bucket, aligned on the loaded grid so buckets keep the same width.
      const start = n > 0 ? last + Math.floor((ts - last) / this.step) * this.step : ts;
      for (const [id, col] of this.cols) {
        const x = sample.values[id];
        const val = x == null ? null : x;
        this.countsOf(id).push(x == null ? 0 : 1); // before t grows: a missing array is made as long as t is now
        col.v.push(val);
        col.min.push(val);
        col.max.push(val);
      }
      this.t.push(start);
    }
    this.version++;
    return true;
  }

  /** Drops buckets that end before `from`, and keeps at most `cap` buckets. */
  trim(from: number, cap: number): void {
    let drop = 0;
    while (drop < this.t.length && this.t[drop] + this.step <= from) drop++;
    drop = Math.max(drop, this.t.length - cap);
    if (drop <= 0) return;
    this.t.splice(0, drop);
    for (const counts of this.counts.values()) counts.splice(0, drop);
    for (const col of this.cols.values()) {
      col.v.splice(0, drop);
      col.min.splice(0, drop);
      col.max.splice(0, drop);
    }
    this.version++;
  }

  private countsOf(id: string): number[] {
    let counts = this.counts.get(id);
    if (!counts) {
      counts = new Array<number>(this.t.length).fill(0);
      this.counts.set(id, counts);
    }
    return counts;
  }

  /** Whether the series has any value in the loaded/live data. */
  hasData(id: string): boolean {
    const col = this.cols.get(id);
    if (!col) return false;
    for (const x of col.v) if (x != null) return true;
    return false;
  }
}

function nulls(n: number): Values {
  return new Array<number | null>(n).fill(null);
}

function emptyColumn(): Column {
  return { v: [], min: [], max: [], banded: false };
}

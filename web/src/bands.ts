// Drawing that uPlot's series would do more slowly for this page: the min/max band of each series
// (one filled polygon instead of two hidden series, their gap clips and a band clip), and the
// points of the GC pause chart (deduplicated per pixel, since a day holds thousands of GCs).

import type uPlot from 'uplot';
import type { Values } from './types';

export interface Band {
  min: Values;
  max: Values;
  fill: string;
  /** The y scale of the band's series: 'y' (left, the default) or 'y2' (right). */
  scale?: string;
}

/**
 * A linear scale's value → canvas pixel, as uPlot's valToPos(v, key, true) computes it, without
 * its per-call lookups: the hot loops here call it tens of thousands of times per draw. Any key
 * but 'x' is a vertical scale ('y', 'y2').
 */
export function toCanvas(u: uPlot, key: string): (v: number) => number {
  const sc = u.scales[key];
  const min = sc.min ?? 0;
  const max = sc.max ?? 1;
  const span = max - min || 1;
  const { left, top, width, height } = u.bbox;
  if (key === 'x') return (v) => left + ((v - min) / span) * width;
  return (v) => top + height - ((v - min) / span) * height;
}

/** First index with t[i] ≥ x. */
function lowerIndex(t: number[], x: number): number {
  let lo = 0;
  let hi = t.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (t[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index range [i0, i1] of t covering [from, to], one point beyond each end so lines reach the edges. */
export function visibleRange(t: number[], from: number, to: number): [number, number] {
  const i0 = Math.max(0, lowerIndex(t, from) - 1);
  const i1 = Math.min(t.length - 1, lowerIndex(t, to + 1));
  return [i0, i1];
}

/** Lowest min and highest max of the bands in [i0, i1]. */
export function bandExtent(bands: Band[], i0: number, i1: number): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const b of bands) {
    for (let i = i0; i <= i1; i++) {
      const mn = b.min[i];
      const mx = b.max[i];
      if (mn != null && mn < lo) lo = mn;
      if (mx != null && mx > hi) hi = mx;
    }
  }
  return [lo, hi];
}

/**
 * Fills each band between its max and min, as one polygon per run of values. A run ends where
 * values are missing for longer than `gapMs` (a real hole in the data), like the lines do.
 */
export function drawBands(u: uPlot, t: number[], bands: Band[], gapMs: number): void {
  const xmin = u.scales.x.min;
  const xmax = u.scales.x.max;
  if (xmin == null || xmax == null || t.length === 0) return;
  const [i0, i1] = visibleRange(t, xmin, xmax);
  const { left, top, width, height } = u.bbox;
  const ctx = u.ctx;
  ctx.save();
  ctx.beginPath();
  ctx.rect(left, top, width, height);
  ctx.clip();
  const xs: number[] = [];
  const hi: number[] = [];
  const lo: number[] = [];
  const X = toCanvas(u, 'x');
  for (const b of bands) {
    const Y = toCanvas(u, b.scale ?? 'y');
    const path = new Path2D();
    let lastT = -Infinity;
    const flush = () => {
      if (xs.length > 1) {
        path.moveTo(xs[0], hi[0]);
        for (let k = 1; k < xs.length; k++) path.lineTo(xs[k], hi[k]);
        for (let k = xs.length - 1; k >= 0; k--) path.lineTo(xs[k], lo[k]);
        path.closePath();
      }
      xs.length = hi.length = lo.length = 0;
    };
    for (let i = i0; i <= i1; i++) {
      const mn = b.min[i];
      const mx = b.max[i];
      if (mn == null || mx == null) continue;
      if (t[i] - lastT > gapMs) flush();
      lastT = t[i];
      xs.push(X(t[i]));
      hi.push(Y(mx));
      lo.push(Y(mn));
    }
    flush();
    ctx.fillStyle = b.fill;
    ctx.fill(path);
  }
  ctx.restore();
}

/**
 * Points of one series as small dots, at most one per cell of a dot's size: a day holds thousands
 * of GCs, and rasterising every overlapping circle cost more than all the rest of the chart.
 * `idxs` are the indices where the series has a value (the pause chart's generations take turns
 * on one x axis).
 */
export function drawPoints(u: uPlot, sidx: number, idxs: number[], fill: string): void {
  const xs = u.data[0] as number[];
  const ys = u.data[sidx] as (number | null)[];
  if (u.scales.x.min == null || idxs.length === 0 || !u.series[sidx].show) return;
  const { left, top, width, height } = u.bbox;
  const X = toCanvas(u, 'x');
  const Y = toCanvas(u, 'y');
  const r = 3 * (devicePixelRatio || 1);
  const cell = r * 1.5;
  const seen = new Set<number>();
  const path = new Path2D();
  for (const i of idxs) {
    const y = ys[i];
    if (y == null) continue;
    const px = X(xs[i]);
    if (px < left || px > left + width) continue;
    const py = Y(y);
    if (py < top - r || py > top + height + r) continue;
    const key = Math.round(px / cell) * 65536 + Math.round(py / cell);
    if (seen.has(key)) continue;
    seen.add(key);
    path.moveTo(px + r, py);
    path.arc(px, py, r, 0, 2 * Math.PI);
  }
  u.ctx.fillStyle = fill;
  u.ctx.fill(path);
}

// Event markers drawn on every chart: a thin vertical line per GC (coloured by generation, behind
// the series) and a dashed, labelled line per user action (release, full GC, heap snapshot) and
// process exit, in front of them.

import type uPlot from 'uplot';
import { toCanvas } from './bands';
import { lowerBound } from './events';
import { chartColors } from './theme';
import type { MemEvent } from './types';

export function generationColor(gen: number | undefined): string {
  const c = chartColors();
  return gen === 0 || gen === 1 || gen === 2 ? c.gen[gen] : c.genUnknown;
}

/**
 * The canvas x of a marker at `ts`, on a whole pixel; null when outside the plot. A marker less
 * than two pixels beyond an edge (the newest event, a hair past the newest sample) is kept at it.
 */
function markerX(u: uPlot, X: (v: number) => number, ts: number): number | null {
  const { left, width } = u.bbox;
  const x = Math.round(X(ts));
  if (x < left - 2 || x > left + width + 2) return null;
  return Math.min(Math.max(x, left), left + width - 1) + 0.5;
}

/** Events in the visible x range of the plot (and a little beyond: see markerX). */
function visibleEvents(u: uPlot, events: MemEvent[]): MemEvent[] {
  const min = u.scales.x.min;
  const max = u.scales.x.max;
  if (min == null || max == null) return [];
  const slack = (max - min) / 100;
  return events.slice(lowerBound(events, min - slack), lowerBound(events, max + slack));
}

/**
 * GC lines, drawn after the grid and before the series, as one-pixel rectangles (axis-aligned
 * fills are much cheaper to rasterise than stroked paths, and a day has thousands). Where GCs are
 * dense (a day of frequent gen0 GCs) every line is still drawn, but fainter, so that they tint the
 * background instead of hiding the series; rare gen2 lines stay strong.
 */
export function drawGcMarkers(u: uPlot, events: MemEvent[]): void {
  const shown = visibleEvents(u, events);
  if (shown.length === 0) return;
  const { top, height } = u.bbox;
  const ctx = u.ctx;
  const X = toCanvas(u, 'x');
  // Pixel columns per generation (-1: unknown), each column once.
  const cols = new Map<number, number[]>();
  for (const e of shown) {
    if (e.type !== 'gc') continue;
    const gen = e.generation === 0 || e.generation === 1 || e.generation === 2 ? e.generation : -1;
    const x = markerX(u, X, e.ts);
    if (x == null) continue;
    let list = cols.get(gen);
    if (!list) cols.set(gen, (list = []));
    if (list[list.length - 1] !== x) list.push(x);
  }
  ctx.save();
  // Older generations over younger ones: gen2 is rare and matters most.
  for (const gen of [-1, 0, 1, 2]) {
    const list = cols.get(gen);
    if (!list) continue;
    const base = gen === 2 ? 0.8 : gen === 1 ? 0.55 : 0.4;
    // Share of the pixel columns covered by lines of this generation, over the span they occupy
    // (a burst of GCs in a short part of a long range is dense even if the plot is mostly empty).
    const span = list[list.length - 1] - list[0] + 1;
    const coverage = list.length / Math.max(span, 8);
    ctx.fillStyle = generationColor(gen);
    ctx.globalAlpha = base * Math.min(1, 0.12 / coverage);
    for (const x of list) ctx.fillRect(x - 0.5, top, 1, height);
  }
  ctx.restore();
}

const ACTION_LABELS: Record<string, string> = {
  'action.release': 'release',
  'action.gc': 'GC',
  'action.snapshot': 'snapshot',
};

/** Drawn markers of one chart: releases, and user actions of any kind (release, full GC, snapshot). */
export interface ActionMarkerCount {
  releases: number;
  actions: number;
}

/** Action (release, full GC, heap snapshot) and exit markers: dashed lines with a label at the top. */
export function drawActionMarkers(u: uPlot, events: MemEvent[]): ActionMarkerCount {
  const shown = visibleEvents(u, events).filter((e) => e.type in ACTION_LABELS || e.type === 'process.exit');
  if (shown.length === 0) return { releases: 0, actions: 0 };
  let releases = 0;
  let actions = 0;
  const { left, top, width, height } = u.bbox;
  const ctx = u.ctx;
  const colors = chartColors();
  const px = devicePixelRatio || 1;
  ctx.save();
  ctx.font = `600 ${11 * px}px system-ui, sans-serif`;
  ctx.textBaseline = 'top';
  ctx.textAlign = 'left'; // uPlot leaves its axis labels' alignment on the context
  const X = toCanvas(u, 'x');
  const labels: { x: number; text: string; color: string }[] = [];
  for (const e of shown) {
    const x = markerX(u, X, e.ts);
    if (x == null) continue;
    const action = ACTION_LABELS[e.type];
    if (e.type === 'action.release') releases++;
    if (action) actions++;
    const color = action ? colors.release : colors.exit;
    ctx.strokeStyle = color;
    ctx.lineWidth = 2 * px;
    ctx.setLineDash([5 * px, 4 * px]);
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, top + height);
    ctx.stroke();
    labels.push({ x, text: action ?? 'exit', color });
  }
  ctx.setLineDash([]);
  // Labels newest first; one that would overlap a label already placed is left out.
  const placed: [number, number][] = [];
  const pad = 3 * px;
  const bh = 15 * px;
  for (let i = labels.length - 1; i >= 0; i--) {
    const { x, text, color } = labels[i];
    const bw = ctx.measureText(text).width + 2 * pad;
    // Flipped to the left of the line near the right edge.
    const bx = x + bw + 4 * px > left + width ? x - bw - 2 * px : x + 2 * px;
    if (placed.some(([a, b]) => bx < b + 2 * px && bx + bw > a - 2 * px)) continue;
    placed.push([bx, bx + bw]);
    ctx.fillStyle = color;
    ctx.fillRect(bx, top + 2 * px, bw, bh);
    ctx.fillStyle = colors.background;
    ctx.fillText(text, bx + pad, top + 4 * px);
  }
  ctx.restore();
  return { releases, actions };
}

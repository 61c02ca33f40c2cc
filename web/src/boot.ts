// Evaluated before the rest of the bundle (main.ts imports it first, and it does not import
// uPlot): the catalog, series and events requests are on the wire while the rest initialises.
// The range uses the browser's clock; main.ts asks again if the catalog shows the server's
// clock is far off, and for "All", which needs the catalog's firstTs.

import { api, fragmentParams, takeTokenFromFragment } from './api';
import { hooks, type Preset, type View } from './hooks';
import type { Catalog, EventsResponse, SeriesResponse } from './types';

performance.mark('memlens:start');
takeTokenFromFragment();

export const PRESET_MS: Record<Exclude<Preset, 'all'>, number> = { '5m': 5 * 60_000, '1h': 3_600_000, '24h': 86_400_000 };
export const PRESETS: Preset[] = ['5m', '1h', '24h', 'all'];

/** The preset from `#range=…`, 1 h by default. */
export function presetFromFragment(): Preset {
  const r = fragmentParams().get('range');
  return r && (PRESETS as string[]).includes(r) ? (r as Preset) : '1h';
}

/**
 * Points to ask for before any chart exists: a grid column's width less the card's padding and
 * the y axis (about the plotting area's width in CSS pixels).
 */
export function estimatePoints(): number {
  const grid = document.getElementById('charts');
  let col = 0;
  if (grid) col = parseFloat(getComputedStyle(grid).gridTemplateColumns.split(' ')[0]) || grid.clientWidth;
  return clampPoints((col || 600) - 24 - 64);
}

export function clampPoints(w: number): number {
  return Math.max(10, Math.min(5000, Math.round(w)));
}

export interface RangeRequest {
  range: View;
  points: number;
  series: Promise<SeriesResponse>;
  events: Promise<EventsResponse>;
}

/** Sends api/series and api/events for a range, in parallel. */
export function requestRange(range: View, points: number): RangeRequest {
  const q = `from=${range.from}&to=${range.to}&points=${points}`;
  hooks.lastSeriesRequest = q;
  hooks.points = points;
  const series = api<SeriesResponse>('api/series?' + q);
  const events = api<EventsResponse>(`api/events?from=${range.from}&to=${range.to}&max=5000`);
  series.catch(() => undefined);
  events.catch(() => undefined);
  return { range, points, series, events };
}

export const firstCatalog: Promise<Catalog> = api<Catalog>('api/catalog');
firstCatalog.catch(() => undefined);

const preset = presetFromFragment();

/** The first range, unless it needs the catalog ("All"). */
export const firstRange: RangeRequest | null = (() => {
  if (preset === 'all') return null;
  const to = Date.now();
  return requestRange({ from: to - PRESET_MS[preset], to }, estimatePoints());
})();

// Evaluated before the rest of the bundle (main.ts imports it first, and it does not import
// uPlot). It takes over the requests the preboot script (inlined in index.html) started, or
// sends them itself, so that they are on the wire while the rest initialises. The range uses the
// browser's clock; main.ts asks again if the catalog shows the server's clock is far off, and
// for "All", which needs the catalog's firstTs.

import { api, fragmentParams, getToken, takeTokenFromFragment } from './api';
import { hooks, type View } from './hooks';
import { clampPoints, PRESET_MS, presetFrom, type Preset } from './presets';
import type { Catalog, EventsResponse, SeriesResponse } from './types';

performance.mark('memlens:start');
takeTokenFromFragment();

export function presetFromFragment(): Preset {
  return presetFrom(fragmentParams());
}

/** Points to ask for before any chart exists: a grid column's width less the card's padding and the y axis. */
export function estimatePoints(): number {
  const grid = document.getElementById('charts');
  let col = 0;
  if (grid) col = parseFloat(getComputedStyle(grid).gridTemplateColumns.split(' ')[0]) || grid.clientWidth;
  return clampPoints((col || 600) - 24 - 2 - 64);
}

export interface RangeRequest {
  range: View;
  points: number;
  series: Promise<SeriesResponse>;
  events: Promise<EventsResponse>;
}

/** Sends api/series and api/events for a range, in parallel (or takes over ones already sent). */
export function requestRange(range: View, points: number, sent?: { series: Promise<Response>; events: Promise<Response> }): RangeRequest {
  const q = `from=${range.from}&to=${range.to}&points=${points}`;
  hooks.lastSeriesRequest = q;
  hooks.points = points;
  const series = api<SeriesResponse>('api/series?' + q, {}, sent?.series);
  const events = api<EventsResponse>(`api/events?from=${range.from}&to=${range.to}&max=2000`, {}, sent?.events);
  series.catch(() => undefined);
  events.catch(() => undefined);
  return { range, points, series, events };
}

// What the preboot script sent is usable if it carried the token this page now uses.
const pre = window.__memlensPreboot;
const usable = pre && pre.token === getToken() ? pre : undefined;

export const firstCatalog: Promise<Catalog> = api<Catalog>('api/catalog', {}, usable?.catalog);
firstCatalog.catch(() => undefined);

/** The first range, unless it needs the catalog ("All"). */
export const firstRange: RangeRequest | null = (() => {
  const preset = presetFromFragment();
  if (preset === 'all') return null;
  if (usable?.range && usable.series && usable.events) {
    const { from, to, points } = usable.range;
    return requestRange({ from, to }, points, { series: usable.series, events: usable.events });
  }
  const to = Date.now();
  return requestRange({ from: to - PRESET_MS[preset], to }, estimatePoints());
})();

// Evaluated before the rest of the bundle (main.ts imports it first, and it does not import
// uPlot). It takes over the requests the preboot script (inlined in index.html) started, or
// sends them itself, so that they are on the wire while the rest initialises. The range uses the
// browser's clock; main.ts asks again if the catalog shows the server's clock is far off, and
// for "All", which needs the catalog's firstTs.

import { api, fragmentParams, getToken, takeTokenFromFragment } from './api';
import { hooks, type View } from './hooks';
import { clampPoints, PRESET_MS, presetFrom, type Preset } from './presets';
import { eventsInRange, parseReport, REPORT_ELEMENT_ID, sliceSeries } from './report-data';
import type { Catalog, EventsResponse, ReportData, SeriesResponse } from './types';

performance.mark('memlens:start');

/**
 * The data of a self-contained report (docs/report.md), when this page is one: then nothing is fetched, no
 * token is asked for, and every answer comes from it.
 */
export const report: ReportData | null = (() => {
  const block = document.getElementById(REPORT_ELEMENT_ID);
  return block ? parseReport(block.textContent ?? '') : null;
})();
/** The page carries a report block, readable or not: it must never reach for a server. */
export const offline = document.getElementById(REPORT_ELEMENT_ID) != null;
hooks.report = offline;
if (!offline) takeTokenFromFragment();

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
  if (offline) {
    // A report: its own data, at its own resolution, whatever the zoom.
    const series = report ? Promise.resolve(sliceSeries(report.series, range.from, range.to)) : Promise.reject(new Error('no report data'));
    const events = Promise.resolve({ events: report ? eventsInRange(report.events.events, range.from, range.to) : [] });
    series.catch(() => undefined);
    return { range, points, series, events };
  }
  const series = api<SeriesResponse>('api/series?' + q, {}, sent?.series);
  const events = api<EventsResponse>(`api/events?from=${range.from}&to=${range.to}&max=2000`, {}, sent?.events);
  series.catch(() => undefined);
  events.catch(() => undefined);
  return { range, points, series, events };
}

// What the preboot script sent is usable if it carried the token this page now uses.
const pre = offline ? undefined : window.__memlensPreboot;
const usable = pre && pre.token === getToken() ? pre : undefined;

export const firstCatalog: Promise<Catalog> = offline
  ? report
    ? Promise.resolve(report.catalog)
    : Promise.reject(new Error('the report data embedded in this page cannot be read'))
  : api<Catalog>('api/catalog', {}, usable?.catalog);
firstCatalog.catch(() => undefined);

/** The first range, unless it needs the catalog ("All", a recording, a report). */
export const firstRange: RangeRequest | null = (() => {
  const preset = presetFromFragment();
  if (preset === 'all' || offline) return null;
  if (usable?.range && usable.series && usable.events) {
    const { from, to, points } = usable.range;
    return requestRange({ from, to }, points, { series: usable.series, events: usable.events });
  }
  const to = Date.now();
  return requestRange({ from: to - PRESET_MS[preset], to }, estimatePoints());
})();

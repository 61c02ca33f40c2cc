// A self-contained report (DashboardReport.Write, docs/report.md) carries the API's answers for its whole
// range in a <script type="application/json" id="memlens-report"> block. The page reads them instead of
// fetching anything: a zoom is a slice of the embedded (downsampled) series, never a finer request.
// Pure, so it is unit-tested.

import { lowerBound } from './events';
import { formatCount } from './format';
import type { MemEvent, ReportData, SeriesResponse } from './types';

export const REPORT_ELEMENT_ID = 'memlens-report';

/** The embedded data, or null when the text is not a report this page can show (then the page says so). */
export function parseReport(text: string): ReportData | null {
  let d: unknown;
  try {
    d = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof d !== 'object' || d === null) return null;
  const r = d as Partial<ReportData>;
  if (!r.catalog || !Array.isArray(r.catalog.charts) || !r.series || !Array.isArray(r.series.t)) return null;
  r.events ??= { events: [] };
  if (!Array.isArray(r.events.events)) r.events.events = [];
  r.findings ??= { error: 'The report holds no findings.' };
  return r as ReportData;
}

/** Index of the first bucket starting after `t`. */
function upperBound(t: number[], x: number): number {
  let lo = 0;
  let hi = t.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (t[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The buckets of `res` that cover [from, to], with one more on each side so lines run to the edges of the
 * plot: what api/series would answer for the range at the report's resolution.
 */
export function sliceSeries(res: SeriesResponse, from: number, to: number): SeriesResponse {
  const t = res.t;
  let lo = 0;
  while (lo < t.length && t[lo] + res.step <= from) lo++;
  const i0 = Math.max(0, lo - 1);
  const i1 = Math.min(t.length, upperBound(t, to) + 1);
  const series: SeriesResponse['series'] = {};
  for (const [id, s] of Object.entries(res.series)) {
    series[id] = { v: s.v.slice(i0, i1) };
    if (s.min && s.max) {
      series[id].min = s.min.slice(i0, i1);
      series[id].max = s.max.slice(i0, i1);
    }
  }
  return { from, to, step: res.step, downsampled: res.downsampled, t: t.slice(i0, i1), series };
}

/** The events in [from, to] (the report's are in time order). */
export function eventsInRange(events: MemEvent[], from: number, to: number): MemEvent[] {
  return events.slice(lowerBound(events, from), lowerBound(events, to + 1));
}

/** What the page says when the report kept only some events, or null when it kept them all. */
export function eventsCutNote(r: ReportData): string | null {
  const kept = r.events.events.length;
  const total = r.events.total ?? kept;
  if (!r.events.truncated && total <= kept) return null;
  return (
    `This report keeps ${formatCount(kept)} of the ${formatCount(total)} events recorded: ` +
    'every event that is not a GC, then GCs from the highest generation down, newest first.'
  );
}

// window.__memlens: read by the end-to-end tests and the first-paint benchmark.

import type { Preset } from './presets';

export type { Preset };

export interface View {
  from: number;
  to: number;
}

export interface Hooks {
  /** performance.now() when every chart with data had drawn for the first time. */
  firstPaintMs?: number;
  /** Encoded (on the wire) size of the first api/series response, when the browser tells it. */
  seriesBytes?: number;
  /** ts of the newest live sample drawn. */
  lastSampleTs?: number;
  /** Date.now() − ts when that sample was drawn: sample-to-pixel latency (server clock = browser clock locally). */
  sampleToPixelMs?: number;
  /** Query string of the newest api/series request: from=…&to=…&points=… */
  lastSeriesRequest?: string;
  preset?: Preset;
  zoomed?: boolean;
  view?: View;
  points?: number;
  visibleCharts?: string[];
  /** Release markers drawn on the chart that shows the most of them. */
  releaseMarkers?: number;
  /** Visible charts that show at least one release marker. */
  markedCharts?: number;
  /** Action markers of any kind (release, full GC, snapshot) drawn on the chart that shows the most of them. */
  actionMarkers?: number;
  /** The `description` of the newest answer of an action with figures (release, full GC). */
  lastActionResult?: string;
  /** Heap snapshots listed in the panel (failed ones included). */
  snapshots?: number;
  /** Id of the snapshot being taken, or null. */
  snapshotRunning?: string | null;
  /** Id of the snapshot whose types table is shown, and its number of rows. */
  snapshotDetail?: string;
  detailRows?: number;
  /** Type names of the diff table's first rows (up to 20), in the order shown; `diffFirst` is the first. */
  diffRows?: string[];
  diffFirst?: string | null;
  /** The "held by" paths of the diff table's first rows (up to 20; null where none), in the order shown. */
  diffHeldBy?: (string | null)[];
  /** The order of the diff shown: 'bytes' or 'retained'. */
  diffSort?: string;
  /** Id of the snapshot whose retention view is drawn (also when it has no retention data). */
  retentionSnapshot?: string;
  /** Node rows drawn in the retention table (0 when the snapshot has no retention data). */
  retentionRows?: number;
  /** The path (root first, joined by " → ") of the row last chosen in the retention table. */
  retentionPath?: string;
  /** True once the events of the loaded range (GC markers) are drawn; they follow the first paint. */
  eventsLoaded?: boolean;
  /** False when the page shows a recording or a report (no stream, presets end at the recording's end). */
  live?: boolean;
  /** True when the page is a self-contained report (its data embedded, nothing fetched). */
  report?: boolean;
  /** Ids of the findings shown in the findings panel, in order. */
  findings?: string[];
  /** How many doctor's reports the panel has shown (each refresh counts). */
  findingsLoads?: number;
  /** The range the findings shown were judged over. */
  findingsRange?: View;
  /** Labels of the rows of the "About this process" block. */
  facts?: string[];
  /** Rows of the events timeline (recordings and reports). */
  timelineRows?: number;
}

declare global {
  interface Window {
    __memlens: Hooks;
  }
}

export const hooks: Hooks = (window.__memlens = window.__memlens ?? {});

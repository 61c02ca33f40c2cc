// The shapes of the server's answers, as docs/dashboard-api.md defines them.

export type Unit = 'bytes' | 'bytes/s' | 'seconds' | 'count' | 'count/s' | 'ratio';

export interface Action {
  id: string;
  label: string;
  url: string;
  help?: string;
}

export interface MetricInfo {
  label: string;
  unit: Unit;
  kind?: string;
  group?: string;
  source?: string;
  help?: string;
}

export interface SeriesDef {
  id: string;
  label: string;
  unit?: Unit;
  color?: string;
  fill?: boolean;
  /** 'y2': drawn on a right-hand axis with its own scale, in this series' unit. Absent: the left axis. */
  axis?: string;
  help?: string;
}

export interface ChartDef {
  id: string;
  title: string;
  help?: string;
  unit: Unit;
  kind?: string;
  /** Series ids of this chart of which one must have data for the chart to show; absent: any series. */
  requires?: string[];
  series?: SeriesDef[];
}

export interface Catalog {
  version: number;
  title: string;
  /** False when the page shows a recording or a replay: no stream, presets end at `lastTs`. Absent: live. */
  live?: boolean;
  target?: { pid?: number; name?: string; runtime?: string; inProcess?: boolean };
  intervalMs: number;
  serverTs: number;
  firstTs: number | null;
  /** The newest sample, null when there is none. */
  lastTs?: number | null;
  /** What the series do not carry: command line, runtime, GC mode, memory-relevant environment (docs/recording.md). */
  facts?: Record<string, string>;
  actions?: Action[];
  metrics?: Record<string, MetricInfo>;
  charts: ChartDef[];
}

export type Values = (number | null)[];

export interface SeriesData {
  v: Values;
  min?: Values;
  max?: Values;
}

export interface SeriesResponse {
  from: number;
  to: number;
  step: number;
  downsampled?: boolean;
  t: number[];
  series: Record<string, SeriesData>;
}

export interface ReleaseFigures {
  rss: number | null;
  pss: number | null;
  gcHeap: number | null;
  gcCommitted: number | null;
}

export interface ReleaseResult {
  ts: number;
  durationMs?: number;
  before?: Partial<ReleaseFigures>;
  after?: Partial<ReleaseFigures>;
  mallocTrim?: string;
  gcIndex?: number;
  description?: string;
}

/** The answer of POST api/actions/gc (and the `result` of an `action.gc` event). */
export interface InducedGcResult {
  ts: number;
  durationMs?: number;
  gc?: MemEvent;
  before?: Partial<ReleaseFigures>;
  after?: Partial<ReleaseFigures>;
  description?: string;
}

/** One heap snapshot as api/snapshots lists it; a failed one has `error` and null figures. */
export interface SnapshotSummary {
  id: string;
  ts: number;
  durationMs?: number;
  gcIndex?: number | null;
  totalObjects: number | null;
  totalBytes: number | null;
  types: number | null;
  truncated?: boolean;
  note?: string | null;
  runtimeVersion?: string | null;
  error?: string;
}

export interface RunningSnapshot {
  id: string;
  startedTs?: number;
  phase: string;
  objects: number;
  bytes: number;
  elapsedMs: number;
}

export interface SnapshotListing {
  running: RunningSnapshot | null;
  snapshots: SnapshotSummary[];
}

export interface TypeRow {
  name: string;
  count: number;
  bytes: number;
  /** Bytes all instances keep alive (with retention data only). */
  retained?: number;
  /** The main holder's path, root first, the type excluded (with retention data only; null when none). */
  holder?: string | null;
}

export interface SnapshotDetail extends SnapshotSummary {
  hasRetention?: boolean;
  top: TypeRow[];
}

/** One node of the retention tree as api/snapshots/{id}/retention sends it. */
export interface RetentionNodeJson {
  id: number;
  /** Id of the parent node, −1 for a root. */
  parent: number;
  kind: 'root' | 'type' | string;
  label: string;
  count: number;
  bytes: number;
  retained: number;
  /** Children of this node left out of the answer (smaller by retained bytes), and what they retain. */
  notSentChildren?: number;
  notSentRetained?: number;
}

export interface RetentionTreeJson {
  nodeCount: number;
  sentNodes: number;
  notSentNodes: number;
  notSentObjects: number;
  notSentBytes: number;
  omittedNodes: number;
  omittedObjects: number;
  omittedBytes: number;
  unrootedObjects: number;
  unrootedBytes: number;
  nodes: RetentionNodeJson[];
}

export interface SnapshotRetentionResponse extends SnapshotSummary {
  /** Null for a snapshot whose heap walk kept no references (histogram only). */
  retention: RetentionTreeJson | null;
}

export interface HeldBy {
  path: string;
  countBefore: number;
  countAfter: number;
  bytesBefore: number;
  bytesAfter: number;
}

export interface DiffRow {
  name: string;
  countBefore: number;
  countAfter: number;
  bytesBefore: number;
  bytesAfter: number;
  retainedBefore?: number | null;
  retainedAfter?: number | null;
  heldBy?: HeldBy | null;
}

export type DiffSort = 'bytes' | 'retained';

export interface SnapshotDiffResponse {
  a: SnapshotSummary;
  b: SnapshotSummary;
  bytesDelta: number;
  countDelta: number;
  rowCount?: number;
  sort?: DiffSort;
  hasRetention?: boolean;
  rows: DiffRow[];
}

/** The stream's `snapshot` frame. */
export interface SnapshotFrame {
  state: 'running' | 'done' | 'failed' | string;
  id: string;
  running?: RunningSnapshot;
  snapshot?: SnapshotSummary;
}

export interface MemEvent {
  ts: number;
  type: string;
  index?: number;
  generation?: number;
  kind?: string;
  details?: boolean;
  pause?: number | null;
  heap_before?: number;
  heap_after?: number;
  description?: string;
  result?: ReleaseResult | InducedGcResult;
  snapshot?: SnapshotSummary;
  [key: string]: unknown;
}

export interface EventsResponse {
  events: MemEvent[];
  truncated?: boolean;
}

export interface SourceStatus {
  name: string;
  state: 'starting' | 'ok' | 'failing' | 'stopped' | string;
  lastError?: string | null;
  lastSuccessTs?: number | null;
  runs?: number;
  failures?: number;
  intervalMs?: number;
}

/** Something that writes the store elsewhere, e.g. the recording (src/MemLens.AspNetCore/SinkStatus.cs). */
export interface SinkStatus {
  name: string;
  state: 'recording' | 'disk_full' | 'stopped' | 'closed' | string;
  lastError?: string | null;
}

export interface Status {
  serverTs: number;
  targetExited?: boolean;
  store?: { bytes: number; budgetBytes: number; droppedEvents?: number };
  sources?: SourceStatus[];
  sinks?: SinkStatus[];
}

export interface Sample {
  ts: number;
  values: Record<string, number | null>;
}

export type Confidence = 'low' | 'medium' | 'high';

/** One finding of the memory doctor (api/findings; src/MemLens/Doctor/Finding.cs). */
export interface Finding {
  id: string;
  title: string;
  summary: string;
  confidence: Confidence | string;
  evidence: string[];
  from: number;
  to: number;
  next_steps: string[];
  /** The section of docs/doctor.md that explains it, e.g. "docs/doctor.md#managed-leak". */
  docs?: string;
}

/** The answer of api/findings (DoctorReport.WriteJson). */
export interface DoctorReport {
  from: number;
  to: number;
  healthy: boolean;
  findings: Finding[];
}

/**
 * The data a self-contained report embeds (DashboardReport.Write, docs/report.md): the same shapes the page
 * gets from the API, for the whole recorded range.
 */
export interface ReportData {
  version: number;
  /** When the report was written (Unix ms). */
  generatedTs: number;
  /** The recorded range the report covers. */
  from: number;
  to: number;
  catalog: Catalog;
  status?: Status;
  series: SeriesResponse;
  events: EventsResponse & { total?: number; maxEvents?: number };
  /** The doctor's report over the whole range, or an error when it could not judge. */
  findings: DoctorReport | { error: string };
}

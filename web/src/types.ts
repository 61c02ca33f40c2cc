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
  help?: string;
}

export interface ChartDef {
  id: string;
  title: string;
  help?: string;
  unit: Unit;
  kind?: string;
  series?: SeriesDef[];
}

export interface Catalog {
  version: number;
  title: string;
  target?: { pid?: number; name?: string; runtime?: string; inProcess?: boolean };
  intervalMs: number;
  serverTs: number;
  firstTs: number | null;
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
  result?: ReleaseResult;
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

export interface Status {
  serverTs: number;
  targetExited?: boolean;
  store?: { bytes: number; budgetBytes: number; droppedEvents?: number };
  sources?: SourceStatus[];
}

export interface Sample {
  ts: number;
  values: Record<string, number | null>;
}

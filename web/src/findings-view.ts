// The pure parts of the findings panel and the "About this process" block: what each finding looks like,
// which facts are shown and how, when the findings are asked for again. No DOM, so it is unit-tested.

import { formatSpan, formatTime } from './format';
import type { DoctorReport, Finding } from './types';

/** While live, the findings are asked for again this often (and when the range changes); never for a recording. */
export const FINDINGS_REFRESH_MS = 30_000;

export function findingsRefreshMs(live: boolean): number | null {
  return live ? FINDINGS_REFRESH_MS : null;
}

/** How a finding is drawn: a problem (badge, strong border), healthy (calm), or a neutral note (not enough data). */
export type Tone = 'problem' | 'healthy' | 'neutral';

export function toneOf(f: Finding): Tone {
  if (f.id === 'healthy') return 'healthy';
  if (f.id === 'not-enough-data') return 'neutral';
  return 'problem';
}

export function confidenceLabel(c: string): string {
  switch (c) {
    case 'high':
      return 'High confidence';
    case 'medium':
      return 'Medium confidence';
    default:
      return 'Low confidence';
  }
}

/** The line beside the panel's title: "Healthy", "2 findings", "Not enough data to judge". */
export function findingsSummary(r: DoctorReport): string {
  const problems = r.findings.filter((f) => toneOf(f) === 'problem');
  if (problems.length > 0) return problems.length === 1 ? '1 finding' : `${problems.length} findings`;
  if (r.healthy || r.findings.some((f) => toneOf(f) === 'healthy')) return 'Healthy';
  return 'Not enough data to judge';
}

/** "2026-11-22 10:00:01 – 12:30:00 (2 h)": the second time without its date when it is the same day. */
export function rangeText(from: number, to: number): string {
  const a = formatTime(from);
  const b = formatTime(to);
  const sameDay = a.slice(0, 10) === b.slice(0, 10);
  return `${a} – ${sameDay ? b.slice(11) : b} (${formatSpan(Math.max(0, to - from))})`;
}

export interface Segment {
  text: string;
  code: boolean;
}

/**
 * Splits a line at backticks into text and code (`memlens snapshot 4242`), so commands in next steps are set in
 * a monospace font and can be copied whole. A line with an unpaired backtick is left as text.
 */
export function codeSegments(line: string): Segment[] {
  const parts = line.split('`');
  if (parts.length % 2 === 0) return line ? [{ text: line, code: false }] : [];
  const out: Segment[] = [];
  parts.forEach((p, i) => {
    if (p) out.push({ text: p, code: i % 2 === 1 });
  });
  return out;
}

/** One line of the "About this process" block. */
export interface FactRow {
  label: string;
  values: string[];
  /** Set in a monospace font (command lines, environment variables). */
  code: boolean;
}

const RUNTIMES: Record<string, string> = { dotnet: '.NET', go: 'Go', native: 'native (no managed runtime seen)' };

function truthy(v: string | undefined): boolean | null {
  if (v == null) return null;
  const s = v.trim().toLowerCase();
  if (s === '1' || s === 'true' || s === 'yes' || s === 'server') return true;
  if (s === '0' || s === 'false' || s === 'no' || s === 'workstation') return false;
  return null;
}

/** "Server GC, concurrent" from what the facts say (the runtime's own figure first, then the environment). */
export function gcMode(facts: Record<string, string>): string | null {
  const server = truthy(facts['dotnet.gc.server']) ?? truthy(facts['env.DOTNET_gcServer']) ?? truthy(facts['env.COMPlus_gcServer']);
  if (server == null) return null;
  let s = server ? 'Server GC' : 'Workstation GC';
  const concurrent = truthy(facts['dotnet.gc.concurrent']) ?? truthy(facts['env.DOTNET_gcConcurrent']) ?? truthy(facts['env.COMPlus_gcConcurrent']);
  if (concurrent != null) s += concurrent ? ', concurrent' : ', non-concurrent';
  return s;
}

/** Facts shown under their own label (in this order); the rest follow under their key. */
const KNOWN = ['target.command_line', 'target.runtime', 'target.runtime_version', 'target.pid', 'target.started_at', 'target.name'];

/**
 * The rows of the "About this process" block: command line, runtime and version, GC mode, the memory-relevant
 * environment (one variable per line), when it started; then any other fact under its key, so nothing the
 * server sent is hidden.
 */
export function factRows(facts: Record<string, string> | undefined | null): FactRow[] {
  if (!facts) return [];
  const rows: FactRow[] = [];
  const used = new Set<string>(KNOWN);
  const cmd = facts['target.command_line'];
  if (cmd) rows.push({ label: 'Command line', values: [cmd], code: true });
  const rt = facts['target.runtime'];
  const ver = facts['target.runtime_version'];
  if (rt || ver) rows.push({ label: 'Runtime', values: [[rt ? (RUNTIMES[rt] ?? rt) : 'Runtime', ver].filter(Boolean).join(' ')], code: false });
  const gc = gcMode(facts);
  if (gc) {
    rows.push({ label: 'GC mode', values: [gc], code: false });
    used.add('dotnet.gc.server');
    used.add('dotnet.gc.concurrent');
  }
  const env = Object.keys(facts)
    .filter((k) => k.startsWith('env.'))
    .sort();
  if (env.length > 0) rows.push({ label: 'Environment', values: env.map((k) => `${k.slice(4)}=${facts[k]}`), code: true });
  for (const k of env) used.add(k);
  const pid = facts['target.pid'];
  if (pid) rows.push({ label: 'PID', values: [pid], code: false });
  const started = facts['target.started_at'];
  if (started) {
    const t = Date.parse(started);
    rows.push({ label: 'Started', values: [Number.isNaN(t) ? started : formatTime(t)], code: false });
  }
  for (const k of Object.keys(facts).sort()) {
    if (used.has(k) || !facts[k]) continue;
    rows.push({ label: k, values: [facts[k]], code: false });
  }
  return rows;
}

// Pure helpers of the heap snapshots panel: diff rows with their changes, shares, one-line summaries,
// which two snapshots to compare by default. No DOM here, so that they are unit-tested.

import { formatBytes, formatDelta, formatSeconds } from './format';
import type { DiffRow, DiffSort, HeldBy, SnapshotSummary } from './types';

export interface DiffRowView extends DiffRow {
  countDelta: number;
  bytesDelta: number;
  /** 'up' when the type holds more bytes after, 'down' when fewer, 'same' otherwise. */
  growth: 'up' | 'down' | 'same';
  /** Retained bytes added (a side without retention data counts 0); null when neither side has it. */
  retainedDelta: number | null;
}

/** Ordinal comparison, as the server's string.CompareOrdinal (UTF-16 code units). */
function ordinal(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Diff rows with their changes, sorted as the server sorts them: bytes added (largest growth first,
 * largest shrink last), then count added, then name; with sort 'retained', retained bytes added first
 * (a row without retained figures counts 0). The server's order is kept when it is already this.
 */
export function diffRowViews(rows: DiffRow[], sort: DiffSort = 'bytes'): DiffRowView[] {
  const views = rows.map((r): DiffRowView => {
    const bytesDelta = r.bytesAfter - r.bytesBefore;
    const hasRetained = r.retainedBefore != null || r.retainedAfter != null;
    return {
      ...r,
      countDelta: r.countAfter - r.countBefore,
      bytesDelta,
      growth: bytesDelta > 0 ? 'up' : bytesDelta < 0 ? 'down' : 'same',
      retainedDelta: hasRetained ? (r.retainedAfter ?? 0) - (r.retainedBefore ?? 0) : null,
    };
  });
  const byBytes = (a: DiffRowView, b: DiffRowView) => b.bytesDelta - a.bytesDelta || b.countDelta - a.countDelta || ordinal(a.name, b.name);
  return views.sort(sort === 'retained' ? (a, b) => (b.retainedDelta ?? 0) - (a.retainedDelta ?? 0) || byBytes(a, b) : byBytes);
}

/** The "held by" cell: the holder's path and what it holds of the type now, with the change ("+1.2 MiB"). */
export function heldByText(h: HeldBy | null | undefined): { path: string; change: string } | null {
  if (!h || !h.path) return null;
  return { path: h.path, change: `${formatBytes(h.bytesAfter)} (${bytesDelta(h.bytesAfter - h.bytesBefore)})` };
}

/** A type's share of the snapshot's bytes: "12.3%", "<0.1%" for a sliver, "—" without a total. */
export function share(bytes: number, total: number | null | undefined): string {
  if (!total || total <= 0 || !Number.isFinite(bytes)) return '—';
  const p = (bytes / total) * 100;
  if (p > 0 && p < 0.1) return '<0.1%';
  return p.toFixed(1) + '%';
}

/** A signed count change: "+1,234", "−12", "±0". */
export function countDelta(d: number): string {
  return formatDelta(d, 'count');
}

/** A signed byte change: "+1.5 MiB", "−4.0 KiB", "±0 B". */
export function bytesDelta(d: number): string {
  return formatDelta(d, 'bytes');
}

/** One line for a listed snapshot: figures, or why it failed or is partial. */
export function summaryLine(s: SnapshotSummary): string {
  if (s.error) return `failed: ${s.error}`;
  const parts = [`${formatCountExact(s.totalObjects)} objects`, formatBytes(s.totalBytes ?? 0), `${formatCountExact(s.types)} types`];
  if (s.durationMs != null) parts.push(`took ${formatSeconds(s.durationMs / 1000)}`);
  let line = parts.join(' · ');
  if (s.truncated) line += ` · partial${s.note ? ': ' + s.note : ''}`;
  return line;
}

/** Whole numbers with thousands separators ("1,234,567"); "—" for none. */
export function formatCountExact(n: number | null | undefined): string {
  if (n == null || !Number.isFinite(n)) return '—';
  return Math.round(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * The pair compared by default: the two newest snapshots that were taken (not failed), the older
 * one as "before". `snapshots` is newest first, as api/snapshots lists them. Null with fewer than two.
 */
export function defaultPair(snapshots: SnapshotSummary[]): [string, string] | null {
  const ok = snapshots.filter((s) => !s.error);
  return ok.length >= 2 ? [ok[1].id, ok[0].id] : null;
}

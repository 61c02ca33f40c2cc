// The pure parts of the events timeline (recordings and reports): which events of the range shown are listed,
// with what type label and one-line text. No DOM, so it is unit-tested.

import { lowerBound } from './events';
import type { MemEvent } from './types';

/** Most rows listed at once; a range holding more lists its newest and says so. */
export const TIMELINE_MAX_ROWS = 5000;

const LABELS: Record<string, string> = {
  gc: 'GC',
  'go.gc': 'Go GC',
  'go.scavenge': 'Go scavenger',
  'action.release': 'Release memory',
  'action.gc': 'Full GC (action)',
  'action.snapshot': 'Heap snapshot',
  'process.exit': 'Process exit',
  'source.error': 'Source error',
  'source.recovered': 'Source recovered',
  'source.note': 'Note',
  'source.unavailable': 'Not available',
};

/** Whether an event is one of a runtime's own collections (numerous: the list can leave them out). */
export function isCollection(e: MemEvent): boolean {
  return e.type === 'gc' || e.type === 'go.gc' || e.type === 'go.scavenge';
}

export type RowKind = 'gc' | 'action' | 'exit' | 'error' | 'note';

export function kindOf(e: MemEvent): RowKind {
  if (isCollection(e)) return 'gc';
  if (e.type.startsWith('action.')) return 'action';
  if (e.type === 'process.exit') return 'exit';
  if (e.type.endsWith('.error') || e.type.endsWith('.malformed')) return 'error';
  return 'note';
}

export function typeLabel(type: string): string {
  return LABELS[type] ?? type;
}

/** The event's one line: the server's description, else its message, else its type. */
export function eventText(e: MemEvent): string {
  if (typeof e.description === 'string' && e.description) return e.description;
  if (typeof e.message === 'string' && e.message) return e.message;
  return typeLabel(e.type);
}

export interface TimelineRow {
  ts: number;
  type: string;
  label: string;
  text: string;
  kind: RowKind;
  /** For GCs: 0, 1, 2 (or undefined). */
  generation?: number;
}

export interface Timeline {
  rows: TimelineRow[];
  /** Events in the range that pass the filter (rows holds at most `max` of them, the newest). */
  matching: number;
  /** Collections in the range (shown or not). */
  collections: number;
}

/** The events in [from, to], in time order, without the runtime's collections unless `withGcs`. */
export function timelineRows(events: MemEvent[], from: number, to: number, withGcs: boolean, max = TIMELINE_MAX_ROWS): Timeline {
  const picked: MemEvent[] = [];
  let collections = 0;
  for (let i = lowerBound(events, from); i < events.length && events[i].ts <= to; i++) {
    const e = events[i];
    if (isCollection(e)) {
      collections++;
      if (!withGcs) continue;
    }
    picked.push(e);
  }
  const kept = picked.length > max ? picked.slice(picked.length - max) : picked;
  return {
    matching: picked.length,
    collections,
    rows: kept.map((e) => ({
      ts: e.ts,
      type: e.type,
      label: typeLabel(e.type),
      text: eventText(e),
      kind: kindOf(e),
      generation: typeof e.generation === 'number' ? e.generation : undefined,
    })),
  };
}

// Events kept for markers and the GC pause chart: sorted by time, without duplicates (a release or
// a full GC arrives both as the POST answer and on the stream), bounded.

import type { MemEvent } from './types';

const MAX_EVENTS = 20000;

export class EventStore {
  /** Every kept event, oldest first. */
  all: MemEvent[] = [];
  private keys = new Set<string>();
  version = 0;

  /** Replaces the events with a server answer (keeping nothing from before). */
  load(events: MemEvent[]): void {
    this.all = [];
    this.keys.clear();
    for (const e of events) this.addOne(e);
    this.all.sort((a, b) => a.ts - b.ts);
    this.version++;
  }

  /** Adds one event; false when it was already there. */
  add(e: MemEvent): boolean {
    if (!this.addOne(e)) return false;
    const n = this.all.length;
    if (n > 1 && this.all[n - 2].ts > e.ts) this.all.sort((a, b) => a.ts - b.ts);
    if (n > MAX_EVENTS) this.drop(n - MAX_EVENTS);
    this.version++;
    return true;
  }

  /** Drops events before `from`. */
  trim(from: number): void {
    let i = 0;
    while (i < this.all.length && this.all[i].ts < from) i++;
    if (i > 0) {
      this.drop(i);
      this.version++;
    }
  }

  private drop(count: number): void {
    for (const e of this.all.splice(0, count)) this.keys.delete(keyOf(e));
  }

  private addOne(e: MemEvent): boolean {
    if (typeof e?.ts !== 'number' || typeof e.type !== 'string') return false;
    const k = keyOf(e);
    if (this.keys.has(k)) return false;
    this.keys.add(k);
    this.all.push(e);
    return true;
  }
}

/** GCs are identified by their index; everything else by type, time and text. */
function keyOf(e: MemEvent): string {
  if (e.type === 'gc' && typeof e.index === 'number') return 'gc#' + e.index;
  if (e.type === 'action.release') return 'release@' + (e.result?.ts ?? e.ts);
  if (e.type === 'action.gc') return 'action.gc@' + (e.result?.ts ?? e.ts);
  return e.type + '@' + e.ts + ':' + (e.description ?? '');
}

/** Index of the first event with ts ≥ t (binary search). */
export function lowerBound(events: MemEvent[], t: number): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (events[mid].ts < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

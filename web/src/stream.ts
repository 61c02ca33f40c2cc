// The live stream (api/stream, server-sent events) with reconnection. EventSource retries by
// itself while the connection drops (the server says `retry: 2000`); when it gives up (readyState
// CLOSED, e.g. the server answered an error) a new one is made after a growing delay.

import { checkAccess, streamUrl } from './api';
import type { MemEvent, Sample, SnapshotFrame, Status } from './types';

export interface StreamHandlers {
  sample(s: Sample): void;
  event(e: MemEvent): void;
  status(s: Status): void;
  dropped(count: number): void;
  /** A heap snapshot's progress or outcome. */
  snapshot(f: SnapshotFrame): void;
  /** Connected; `again` is true after a disconnection (the page refetches to fill the gap). */
  open(again: boolean): void;
  /** Lost the connection; reconnecting. */
  lost(): void;
}

export class LiveStream {
  private es: EventSource | null = null;
  private everOpened = false;
  private down = false;
  private retryTimer = 0;
  private backoffMs = 1000;

  constructor(private readonly h: StreamHandlers) {}

  start(): void {
    this.connect();
  }

  private connect(): void {
    this.es?.close();
    const es = new EventSource(streamUrl());
    this.es = es;
    es.onopen = () => {
      this.backoffMs = 1000;
      const again = this.everOpened || this.down;
      this.everOpened = true;
      this.down = false;
      this.h.open(again);
    };
    es.onerror = () => {
      if (this.es !== es) return;
      if (!this.down) {
        this.down = true;
        this.h.lost();
      }
      if (es.readyState === EventSource.CLOSED) this.reconnectLater();
    };
    es.addEventListener('sample', (m) => this.parse(m, (d) => this.h.sample(d as Sample)));
    es.addEventListener('event', (m) => this.parse(m, (d) => this.h.event(d as MemEvent)));
    es.addEventListener('status', (m) => this.parse(m, (d) => this.h.status(d as Status)));
    es.addEventListener('snapshot', (m) => this.parse(m, (d) => this.h.snapshot(d as SnapshotFrame)));
    es.addEventListener('dropped', (m) => this.parse(m, (d) => this.h.dropped(Number((d as { count?: number }).count) || 0)));
  }

  private parse(m: Event, f: (d: unknown) => void): void {
    let d: unknown;
    try {
      d = JSON.parse((m as MessageEvent<string>).data);
    } catch {
      return; // a malformed frame is skipped, never fatal
    }
    f(d);
  }

  /** EventSource gave up: find out whether the token is the problem, then try again later. */
  private reconnectLater(): void {
    this.es?.close();
    this.es = null;
    clearTimeout(this.retryTimer);
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, 15_000);
    this.retryTimer = window.setTimeout(async () => {
      try {
        // Shows the token form and waits for it when the server wants a token.
        await checkAccess();
      } catch {
        // unreachable or failing: connect anyway, the next error backs off further
      }
      this.connect();
    }, delay);
  }

  get connected(): boolean {
    return !this.down && this.everOpened;
  }
}

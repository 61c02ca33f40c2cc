// The status strip: connection state, target, each source's state (with its last error when
// failing) and the store's memory; and the banner shown while the connection is down.

import { el } from './dom';
import { formatBytes, formatTime } from './format';
import type { SinkStatus, SourceStatus, Status } from './types';

export type Connection = 'connecting' | 'live' | 'reconnecting' | 'paused' | 'exited' | 'recording' | 'report';

const LABELS: Record<Connection, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  paused: 'Paused',
  exited: 'Target exited',
  recording: 'Recording',
  report: 'Report',
};

export class StatusStrip {
  private readonly conn: HTMLElement;
  private readonly target: HTMLElement;
  private readonly sources: HTMLElement;
  private readonly store: HTMLElement;
  private readonly banner: HTMLElement;
  private readonly bannerText: HTMLElement;

  private disconnected = false;
  private paused = false;
  private exited = false;
  private opened = false;
  /** A recording (served, not live) or a report (a file): no connection to speak of. */
  private offline: 'recording' | 'report' | null = null;

  constructor(root: HTMLElement, banner: HTMLElement) {
    this.conn = root.querySelector('.conn-state')!;
    this.target = root.querySelector('.target-title')!;
    this.sources = root.querySelector('.sources')!;
    this.store = root.querySelector('.store-usage')!;
    this.banner = banner;
    this.bannerText = banner.querySelector('.banner-text') ?? banner;
    this.render();
  }

  setTarget(title: string): void {
    this.target.textContent = title;
    this.target.title = title;
  }

  setConnected(on: boolean): void {
    if (on) this.opened = true;
    this.disconnected = !on;
    this.render();
  }

  setPaused(p: boolean): void {
    this.paused = p;
    this.render();
  }

  setExited(x: boolean): void {
    this.exited = x;
    this.render();
  }

  /** The page shows a recording or a report: no live indicator, no reconnection banner. */
  setOffline(kind: 'recording' | 'report'): void {
    this.offline = kind;
    this.conn.title =
      kind === 'report'
        ? 'A self-contained report: the data is in this file, nothing is fetched.'
        : 'A recording (or a replay): the data does not change, nothing is live.';
    if (kind === 'report') this.store.hidden = true;
    this.render();
  }

  /** The banner for a failure before the stream exists (e.g. the catalog cannot be fetched). */
  showProblem(text: string | null): void {
    if (text) {
      this.bannerText.textContent = text;
      this.banner.hidden = false;
    } else {
      this.render();
    }
  }

  get state(): Connection {
    if (this.offline) return this.offline;
    if (this.paused) return 'paused';
    if (this.disconnected) return 'reconnecting';
    if (this.exited) return 'exited';
    return this.opened ? 'live' : 'connecting';
  }

  private render(): void {
    const s = this.state;
    this.conn.textContent = LABELS[s];
    this.conn.dataset.state = s;
    this.banner.hidden = !this.disconnected || this.offline != null;
    if (this.disconnected) this.bannerText.textContent = 'Reconnecting… the live connection to the server was lost; retrying.';
    document.documentElement.dataset.connection = s;
  }

  update(st: Status): void {
    this.setExited(!!st.targetExited);
    if (st.store) {
      const { bytes, budgetBytes, droppedEvents } = st.store;
      this.store.textContent = `Store ${formatBytes(bytes)} / ${formatBytes(budgetBytes)}`;
      this.store.title =
        `History kept in the server's memory: ${formatBytes(bytes)} of a ${formatBytes(budgetBytes)} budget` +
        (droppedEvents ? `; ${droppedEvents} events dropped` : '');
    }
    if (st.sources || st.sinks) this.renderSources([...(st.sources ?? []), ...(st.sinks ?? []).map(sinkAsSource)]);
  }

  private renderSources(list: SourceStatus[]): void {
    const frag = document.createDocumentFragment();
    for (const src of list) {
      const item = el('span', 'source');
      item.dataset.state = src.state;
      item.dataset.source = src.name;
      const dot = el('span', 'dot');
      dot.setAttribute('aria-hidden', 'true');
      const shown = (src as { shownState?: string }).shownState ?? src.state;
      item.append(dot, el('span', 'source-name', src.name), el('span', 'source-state', shown));
      let tip = `${src.name}: ${shown}`;
      if (src.lastSuccessTs) tip += `\nlast success ${formatTime(src.lastSuccessTs)}`;
      if (src.runs != null) tip += `\n${src.runs} runs, ${src.failures ?? 0} failures`;
      if (src.lastError) {
        tip += `\nlast error: ${src.lastError}`;
        if (src.state === 'failing' || src.state === 'stopped') {
          item.append(el('span', 'source-error', src.lastError));
        }
      }
      item.title = tip;
      frag.append(item);
    }
    this.sources.replaceChildren(frag);
  }
}

/** A sink (the recording) shown among the sources: its own word, coloured as a source in that condition would be. */
export function sinkAsSource(sink: SinkStatus): SourceStatus & { shownState: string } {
  const state = sink.state === 'recording' ? 'ok' : sink.state === 'closed' ? 'stopped' : 'failing';
  return { name: sink.name, state, shownState: sink.state.replace('_', ' '), lastError: sink.lastError };
}

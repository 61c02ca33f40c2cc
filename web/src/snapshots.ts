// The "Heap snapshots" panel of an attached .NET process: the button that takes one, the running
// snapshot's progress, the list, one snapshot's largest types, and the diff of two. Shown only when
// the catalog offers the `snapshot` action. See docs/dashboard-api.md (api/snapshots…).

import { api, HttpError } from './api';
import { el } from './dom';
import { formatBytes, formatSeconds, formatTime } from './format';
import { hooks } from './hooks';
import { RetentionView } from './retention';
import { bytesDelta, countDelta, defaultPair, diffRowViews, formatCountExact, heldByText, share, summaryLine } from './snapshot-view';
import type { Action, DiffSort, SnapshotDetail, SnapshotDiffResponse, SnapshotFrame, SnapshotListing, SnapshotSummary } from './types';

/** Rows asked for in the types and diff tables. */
const TOP = 100;
/** While a snapshot runs, the listing is asked again this often (the stream's frames come in between). */
const POLL_MS = 1000;

const $ = <T extends HTMLElement>(root: ParentNode, sel: string) => root.querySelector(sel) as T;

function cell(row: HTMLTableRowElement, text: string, className = ''): HTMLTableCellElement {
  const c = row.insertCell();
  c.textContent = text;
  if (className) c.className = className;
  return c;
}

function headRow(table: HTMLTableElement, titles: string[]): void {
  const head = table.createTHead().insertRow();
  for (const t of titles) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = t;
    head.append(th);
  }
}

export class SnapshotPanel {
  private readonly root = $<HTMLElement>(document, '#snapshots-panel');
  private readonly button = $<HTMLButtonElement>(document, '#snapshot-button');
  private readonly progress = $<HTMLElement>(this.root, '.snapshot-progress');
  private readonly message = $<HTMLElement>(this.root, '.snapshot-message');
  private readonly list = $<HTMLElement>(this.root, '.snapshot-list');
  private readonly selectA = $<HTMLSelectElement>(this.root, '#diff-a');
  private readonly selectB = $<HTMLSelectElement>(this.root, '#diff-b');
  private readonly compare = $<HTMLButtonElement>(this.root, '#diff-button');
  private readonly sort = $<HTMLSelectElement>(this.root, '#diff-sort');
  private readonly detail = $<HTMLElement>(this.root, '.snapshot-detail');
  private readonly diff = $<HTMLElement>(this.root, '.snapshot-diff');
  private snapshots: SnapshotSummary[] = [];
  private running: string | null = null;
  private pollTimer = 0;
  private loadGen = 0;
  private userChose = false;

  constructor(private readonly action: Action) {}

  start(): void {
    this.button.textContent = this.action.label || 'Heap snapshot';
    this.button.title =
      this.action.help || 'Runs a full blocking GC in the watched process and walks its heap (the process pauses meanwhile)';
    this.button.hidden = false;
    this.root.hidden = false;
    this.button.addEventListener('click', () => void this.take());
    for (const sel of [this.selectA, this.selectB]) sel.addEventListener('change', () => (this.userChose = true));
    this.compare.addEventListener('click', () => void this.showDiff(this.selectA.value, this.selectB.value));
    this.sort.addEventListener('change', () => {
      if (!this.diff.hidden) void this.showDiff(this.selectA.value, this.selectB.value);
    });
    this.list.addEventListener('click', (e) => {
      const id = (e.target as HTMLElement).closest<HTMLElement>('[data-snapshot-id]')?.dataset.snapshotId;
      if (id) void this.showDetail(id);
    });
    void this.refresh();
  }

  /** A `snapshot` frame from the live stream. */
  onFrame(f: SnapshotFrame): void {
    if (f?.state === 'running' && f.running) {
      this.running = f.running.id;
      this.showProgress(f.running.id, f.running.phase, f.running.objects, f.running.bytes, f.running.elapsedMs);
    } else if (f?.state === 'done' || f?.state === 'failed') {
      void this.refresh();
    }
  }

  /** After a reconnection: what happened meanwhile. */
  reload(): void {
    void this.refresh();
  }

  private async take(): Promise<void> {
    this.button.disabled = true;
    this.say('');
    try {
      const r = await api<{ id: string }>(this.action.url, { method: 'POST' });
      this.running = r.id;
      this.showProgress(r.id, 'starting', 0, 0, 0);
      this.schedulePoll();
    } catch (e) {
      this.button.disabled = false;
      this.say(
        e instanceof HttpError
          ? e.status === 409
            ? 'Another action (a GC or a heap snapshot) is running; try again when it ends.'
            : `The snapshot could not start: ${e.message}`
          : 'The snapshot could not start: the server could not be reached.',
        true,
      );
    }
  }

  private schedulePoll(): void {
    clearTimeout(this.pollTimer);
    this.pollTimer = window.setTimeout(() => void this.refresh(), POLL_MS);
  }

  /** Asks for the listing; keeps polling while a snapshot runs. */
  private async refresh(): Promise<void> {
    const gen = ++this.loadGen;
    let listing: SnapshotListing;
    try {
      listing = await api<SnapshotListing>('api/snapshots');
    } catch (e) {
      if (gen === this.loadGen) this.say(`Cannot list the snapshots (${(e as Error).message}).`, true);
      if (this.running) this.schedulePoll();
      return;
    }
    if (gen !== this.loadGen) return;
    const finished = this.running != null && listing.running == null ? this.running : null;
    this.snapshots = listing.snapshots ?? [];
    this.renderList();
    const r = listing.running;
    if (r) {
      this.running = r.id;
      this.showProgress(r.id, r.phase, r.objects, r.bytes, r.elapsedMs);
      this.schedulePoll();
    } else {
      this.running = null;
      this.progress.hidden = true;
      this.button.disabled = false;
      hooks.snapshotRunning = null;
      if (finished) {
        const done = this.snapshots.find((s) => s.id === finished);
        if (done?.error) this.say(`Snapshot ${done.id} failed: ${done.error}`, true);
      }
    }
  }

  private showProgress(id: string, phase: string, objects: number, bytes: number, elapsedMs: number): void {
    this.button.disabled = true;
    this.progress.hidden = false;
    this.progress.textContent = `Taking ${id}: ${phase} · ${formatCountExact(objects)} objects · ${formatBytes(bytes)} · ${formatSeconds(elapsedMs / 1000)}`;
    hooks.snapshotRunning = id;
  }

  private say(text: string, error = false): void {
    this.message.textContent = text;
    this.message.hidden = !text;
    this.message.classList.toggle('error', error);
  }

  private renderList(): void {
    hooks.snapshots = this.snapshots.length;
    if (this.snapshots.length === 0) {
      const p = document.createElement('p');
      p.className = 'snapshot-empty';
      p.textContent = 'No snapshot yet. "Heap snapshot" takes one; the process pauses while its heap is walked.';
      this.list.replaceChildren(p);
    } else {
      const table = document.createElement('table');
      table.className = 'snapshot-table';
      headRow(table, ['Snapshot', 'Taken', 'Objects', 'Size', 'Types', '']);
      const body = table.createTBody();
      for (const s of this.snapshots) {
        const row = body.insertRow();
        row.dataset.id = s.id;
        if (s.error) row.className = 'failed';
        const first = row.insertCell();
        const open = document.createElement('button');
        open.type = 'button';
        open.className = 'link';
        open.dataset.snapshotId = s.id;
        open.textContent = s.id;
        open.disabled = !!s.error;
        open.title = s.error ? 'This snapshot failed' : 'Show its largest types';
        first.append(open);
        cell(row, formatTime(s.ts));
        if (s.error) {
          const c = cell(row, `failed: ${s.error}`, 'error');
          c.colSpan = 4;
        } else {
          cell(row, formatCountExact(s.totalObjects), 'num');
          cell(row, formatBytes(s.totalBytes ?? 0), 'num');
          cell(row, formatCountExact(s.types), 'num');
          cell(row, s.truncated ? `partial${s.note ? ': ' + s.note : ''}` : '', s.truncated ? 'warn' : '');
        }
        row.title = summaryLine(s);
      }
      this.list.replaceChildren(table);
    }
    this.fillSelects();
  }

  private fillSelects(): void {
    const ok = this.snapshots.filter((s) => !s.error);
    const keepA = this.selectA.value;
    const keepB = this.selectB.value;
    for (const sel of [this.selectA, this.selectB]) {
      sel.replaceChildren(
        ...ok.map((s) => {
          const o = document.createElement('option');
          o.value = s.id;
          o.textContent = `${s.id} · ${formatTime(s.ts)} · ${formatBytes(s.totalBytes ?? 0)}`;
          return o;
        }),
      );
    }
    // The two newest are compared by default; a pair the user chose stays while both are held.
    const held = (id: string) => ok.some((s) => s.id === id);
    const pair = this.userChose && held(keepA) && held(keepB) ? [keepA, keepB] : defaultPair(this.snapshots);
    if (pair) {
      this.selectA.value = pair[0];
      this.selectB.value = pair[1];
    }
    this.compare.disabled = ok.length < 2;
    (this.root.querySelector('.snapshot-compare') as HTMLElement).hidden = ok.length < 2;
  }

  private async showDetail(id: string): Promise<void> {
    let d: SnapshotDetail;
    try {
      d = await api<SnapshotDetail>(`api/snapshots/${encodeURIComponent(id)}?top=${TOP}`);
    } catch (e) {
      this.say(`Cannot load snapshot ${id} (${(e as Error).message}).`, true);
      return;
    }
    const h = document.createElement('h3');
    h.textContent = `${d.id} · ${formatTime(d.ts)} · largest types`;
    const sub = document.createElement('p');
    sub.className = 'snapshot-sub';
    sub.textContent = summaryLine(d) + (d.types != null && d.types > d.top.length ? ` · showing the ${d.top.length} largest` : '');
    const table = document.createElement('table');
    table.className = 'types-table';
    const retained = d.hasRetention === true;
    headRow(table, retained ? ['Type', 'Objects', 'Size', 'Share', 'Retained', 'Main holder'] : ['Type', 'Objects', 'Size', 'Share']);
    const body = table.createTBody();
    for (const t of d.top) {
      const row = body.insertRow();
      cell(row, t.name, 'type-name');
      cell(row, formatCountExact(t.count), 'num');
      cell(row, formatBytes(t.bytes), 'num');
      cell(row, share(t.bytes, d.totalBytes), 'num');
      if (retained) {
        cell(row, t.retained != null ? formatBytes(t.retained) : '—', 'num');
        cell(row, t.holder ?? '—', 'holder').title = t.holder ?? '';
      }
    }
    const retention = el('div', 'snapshot-retention');
    this.detail.replaceChildren(h, sub, table, retention);
    this.detail.hidden = false;
    this.detail.dataset.id = d.id;
    hooks.snapshotDetail = d.id;
    hooks.detailRows = d.top.length;
    try {
      await new RetentionView(retention, d.id).load();
    } catch (e) {
      retention.replaceChildren(el('p', 'snapshot-message error', `Cannot load who holds snapshot ${d.id} (${(e as Error).message}).`));
    }
  }

  private async showDiff(a: string, b: string): Promise<void> {
    if (!a || !b) return;
    if (a === b) {
      this.say('Choose two different snapshots to compare.', true);
      return;
    }
    let d: SnapshotDiffResponse;
    try {
      const sort = this.sort.value === 'retained' ? 'retained' : 'bytes';
      d = await api<SnapshotDiffResponse>(`api/snapshots/diff?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}&top=${TOP}&sort=${sort}`);
    } catch (e) {
      this.say(`Cannot compare ${a} with ${b} (${(e as Error).message}).`, true);
      return;
    }
    this.say('');
    const sort: DiffSort = d.sort === 'retained' ? 'retained' : 'bytes';
    const rows = diffRowViews(d.rows ?? [], sort);
    const retained = d.hasRetention === true;
    const h = document.createElement('h3');
    h.textContent = `${d.a.id} → ${d.b.id}: what grew` + (sort === 'retained' ? ', by retained bytes' : '');
    const sub = document.createElement('p');
    sub.className = 'snapshot-sub';
    const span = formatSeconds(Math.max(0, d.b.ts - d.a.ts) / 1000);
    sub.textContent =
      `${span} apart · objects ${countDelta(d.countDelta)} · bytes ${bytesDelta(d.bytesDelta)}` +
      (d.rowCount != null && d.rowCount > rows.length ? ` · showing ${rows.length} of ${formatCountExact(d.rowCount)} types` : '') +
      (retained ? '' : ` · ${d.b.id} has no retention data, so who holds the growth is not known`);
    const table = document.createElement('table');
    table.className = 'diff-table';
    const titles = ['Type', 'Objects before', 'after', 'change', 'Bytes before', 'after', 'change'];
    headRow(table, retained ? [...titles, 'Retained change', 'Held by'] : titles);
    const body = table.createTBody();
    for (const r of rows) {
      const row = body.insertRow();
      row.className = r.growth === 'up' ? 'grew' : r.growth === 'down' ? 'shrank' : '';
      cell(row, r.name, 'type-name');
      cell(row, formatCountExact(r.countBefore), 'num');
      cell(row, formatCountExact(r.countAfter), 'num');
      cell(row, countDelta(r.countDelta), 'num delta ' + (r.countDelta > 0 ? 'up' : r.countDelta < 0 ? 'down' : ''));
      cell(row, formatBytes(r.bytesBefore), 'num');
      cell(row, formatBytes(r.bytesAfter), 'num');
      cell(row, bytesDelta(r.bytesDelta), 'num delta ' + r.growth);
      if (retained) {
        const rd = r.retainedDelta;
        cell(row, rd == null ? '—' : bytesDelta(rd), 'num delta ' + (rd != null && rd > 0 ? 'up' : rd != null && rd < 0 ? 'down' : ''));
        const held = heldByText(r.heldBy);
        const c = row.insertCell();
        c.className = 'held-by';
        if (held) {
          c.append(el('span', 'held-path', held.path), el('span', 'held-change', ' ' + held.change));
          c.title = `${held.path}: ${held.change}`;
        } else {
          c.textContent = '—';
        }
      }
    }
    this.diff.replaceChildren(h, sub, table);
    this.diff.hidden = false;
    this.diff.dataset.a = d.a.id;
    this.diff.dataset.b = d.b.id;
    hooks.diffRows = rows.slice(0, 20).map((r) => r.name);
    hooks.diffFirst = rows[0]?.name ?? null;
    hooks.diffHeldBy = rows.slice(0, 20).map((r) => r.heldBy?.path ?? null);
    hooks.diffSort = sort;
  }
}

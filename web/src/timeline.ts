// The events timeline of a recording or a report: a table of the events in the range shown (time, type, one
// line), GCs optional since a long range holds thousands of them.

import { el } from './dom';
import { formatCount, formatTime } from './format';
import { hooks } from './hooks';
import { timelineRows } from './timeline-view';
import type { MemEvent } from './types';

/** Above this many collections in the range, they are left out until the box is ticked. */
const AUTO_GC_LIMIT = 500;

export class TimelinePanel {
  private readonly count: HTMLElement;
  private readonly body: HTMLTableSectionElement;
  private readonly gcs: HTMLInputElement;
  private readonly note: HTMLElement;
  /** The user's choice for GCs; null: automatic (shown unless there are very many). */
  private withGcs: boolean | null = null;
  private last: { events: MemEvent[]; from: number; to: number } | null = null;

  constructor(private readonly root: HTMLElement) {
    this.count = root.querySelector('.timeline-count')!;
    this.body = root.querySelector('tbody')!;
    this.gcs = root.querySelector('#timeline-gcs')!;
    this.note = root.querySelector('.timeline-note')!;
    this.gcs.addEventListener('change', () => {
      this.withGcs = this.gcs.checked;
      if (this.last) this.render(this.last.events, this.last.from, this.last.to);
    });
  }

  /** A note under the title (e.g. that the report kept only some events). */
  setNote(text: string | null): void {
    this.note.textContent = text ?? '';
    this.note.hidden = !text;
  }

  render(events: MemEvent[], from: number, to: number): void {
    this.last = { events, from, to };
    this.root.hidden = false;
    let t = timelineRows(events, from, to, true);
    const withGcs = this.withGcs ?? t.collections <= AUTO_GC_LIMIT;
    if (!withGcs) t = timelineRows(events, from, to, false);
    this.gcs.checked = withGcs;

    const frag = document.createDocumentFragment();
    for (const r of t.rows) {
      const tr = el('tr');
      tr.dataset.kind = r.kind;
      tr.dataset.type = r.type;
      if (r.generation != null) tr.dataset.generation = String(r.generation);
      tr.append(el('td', 'time', formatTime(r.ts)), el('td', 'type', r.label), el('td', 'text', r.text));
      frag.append(tr);
    }
    this.body.replaceChildren(frag);
    const hidden = withGcs ? 0 : t.collections;
    let s = `${formatCount(t.matching)} ${t.matching === 1 ? 'event' : 'events'} in the range shown`;
    if (t.rows.length < t.matching) s += `, the newest ${formatCount(t.rows.length)} listed`;
    if (hidden > 0) s += ` · ${formatCount(hidden)} GCs not listed (tick “GCs” to list them)`;
    this.count.textContent = s;
    hooks.timelineRows = t.rows.length;
  }
}

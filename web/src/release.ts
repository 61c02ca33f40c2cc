// Actions that answer with figures before and after: "Release memory" (in-process) and "Full GC"
// (an attached process). POST, then one dialog with before → after for each figure.

import { api, HttpError } from './api';
import { formatDelta, formatSeconds, formatValue } from './format';
import type { Action, InducedGcResult, ReleaseFigures, ReleaseResult } from './types';

const FIGURES: [keyof ReleaseFigures, string][] = [
  ['rss', 'RSS'],
  ['pss', 'PSS'],
  ['gcHeap', 'GC heap'],
  ['gcCommitted', 'GC committed'],
];

type FigureResult = ReleaseResult | InducedGcResult;

interface FigureAction {
  button: HTMLButtonElement;
  /** Title of the result dialog. */
  title: string;
  /** Button text while the action runs. */
  busy: string;
  /** What the button says without help text from the catalog. */
  fallbackHelp: string;
  /** What a 409 means for this action. */
  busyMessage: string;
  /** The small print under the table. */
  notes(r: FigureResult): string[];
}

let wired = false;

function dialogOf(): HTMLElement {
  const dialog = document.querySelector('.release-result') as HTMLElement;
  if (!wired) {
    wired = true;
    dialog.querySelector('.release-close')?.addEventListener('click', () => (dialog.hidden = true));
    document.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') dialog.hidden = true;
    });
  }
  return dialog;
}

/** Wires the release button; `onDone` gets the result (to draw its marker at once). */
export function initRelease(action: Action, onDone: (r: ReleaseResult) => void): void {
  wire(
    action,
    {
      button: document.getElementById('release-button') as HTMLButtonElement,
      title: 'Release memory',
      busy: 'Releasing…',
      fallbackHelp: 'Runs a full compacting GC and returns freed memory to the operating system',
      busyMessage: 'A release is already running; try again when it ends.',
      notes: (r) => {
        const x = r as ReleaseResult;
        const notes: string[] = [];
        if (x.durationMs != null) notes.push(`took ${Math.round(x.durationMs)} ms`);
        if (x.mallocTrim) notes.push(`malloc_trim: ${x.mallocTrim}`);
        if (x.gcIndex != null) notes.push(`GC #${x.gcIndex}`);
        return notes;
      },
    },
    (r) => onDone(r as ReleaseResult),
  );
}

/** Wires the full-GC button of an attached process; `onDone` gets the result (to draw its marker at once). */
export function initFullGc(action: Action, onDone: (r: InducedGcResult) => void): void {
  wire(
    action,
    {
      button: document.getElementById('gc-button') as HTMLButtonElement,
      title: 'Full GC',
      busy: 'Collecting…',
      fallbackHelp: 'Induces a blocking, compacting full GC in the watched process (it pauses while the GC runs)',
      busyMessage: 'Another action (a GC or a heap snapshot) is running; try again when it ends.',
      notes: (r) => {
        const x = r as InducedGcResult;
        const notes: string[] = [];
        if (x.durationMs != null) notes.push(`took ${Math.round(x.durationMs)} ms`);
        if (x.gc?.index != null) notes.push(`GC #${x.gc.index}`);
        if (typeof x.gc?.pause === 'number') notes.push(`pause ${formatSeconds(x.gc.pause)}`);
        return notes;
      },
    },
    (r) => onDone(r as InducedGcResult),
  );
}

function wire(action: Action, a: FigureAction, onDone: (r: FigureResult) => void): void {
  const btn = a.button;
  btn.textContent = action.label || a.title;
  btn.title = action.help || a.fallbackHelp;
  btn.hidden = false;
  const dialog = dialogOf();

  btn.addEventListener('click', async () => {
    btn.disabled = true;
    btn.setAttribute('aria-busy', 'true');
    const label = btn.textContent;
    btn.textContent = a.busy;
    try {
      const r = await api<FigureResult>(action.url, { method: 'POST' });
      showResult(dialog, a, action.id, r);
      onDone(r);
    } catch (e) {
      const msg =
        e instanceof HttpError
          ? e.status === 409
            ? a.busyMessage
            : e.status === 403
              ? `Actions are disabled: ${e.message}`
              : `${a.title} failed: ${e.message}`
          : `${a.title} failed: the server could not be reached.`;
      showError(dialog, a, action.id, msg);
    } finally {
      btn.disabled = false;
      btn.removeAttribute('aria-busy');
      btn.textContent = label;
    }
  });
}

function setTitle(dialog: HTMLElement, a: FigureAction, id: string): void {
  dialog.dataset.action = id;
  const h = dialog.querySelector('#release-title');
  if (h) h.textContent = a.title;
}

function showResult(dialog: HTMLElement, a: FigureAction, id: string, r: FigureResult): void {
  const body = dialog.querySelector('.release-body') as HTMLElement;
  setTitle(dialog, a, id);
  dialog.dataset.outcome = 'ok';
  const table = document.createElement('table');
  const head = table.createTHead().insertRow();
  for (const h of ['', 'before', '', 'after', 'change']) {
    const th = document.createElement('th');
    th.textContent = h;
    head.append(th);
  }
  const tb = table.createTBody();
  for (const [key, label] of FIGURES) {
    const b = r.before?.[key] ?? null;
    const after = r.after?.[key] ?? null;
    const row = tb.insertRow();
    row.dataset.figure = key;
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = label;
    row.append(th);
    row.insertCell().textContent = formatValue(b, 'bytes');
    row.insertCell().textContent = '→';
    row.insertCell().textContent = formatValue(after, 'bytes');
    const d = row.insertCell();
    if (after != null && b != null) {
      d.textContent = formatDelta(after - b, 'bytes');
      d.className = after < b ? 'down' : after > b ? 'up' : '';
    } else {
      d.textContent = '—';
    }
  }
  const p = document.createElement('p');
  p.className = 'release-notes';
  p.textContent = a.notes(r).join(' · ');
  body.replaceChildren(table, p);
  dialog.hidden = false;
  (dialog.querySelector('.release-close') as HTMLElement | null)?.focus();
}

function showError(dialog: HTMLElement, a: FigureAction, id: string, msg: string): void {
  const body = dialog.querySelector('.release-body') as HTMLElement;
  setTitle(dialog, a, id);
  dialog.dataset.outcome = 'error';
  const p = document.createElement('p');
  p.className = 'release-error';
  p.textContent = msg;
  body.replaceChildren(p);
  dialog.hidden = false;
}

// The "Release memory" action: POST, then a dialog with before → after for each figure.

import { api, HttpError } from './api';
import { formatDelta, formatValue } from './format';
import type { Action, ReleaseFigures, ReleaseResult } from './types';

const FIGURES: [keyof ReleaseFigures, string][] = [
  ['rss', 'RSS'],
  ['pss', 'PSS'],
  ['gcHeap', 'GC heap'],
  ['gcCommitted', 'GC committed'],
];

/** Wires the button for the action; `onDone` gets the result (to draw its marker at once). */
export function initRelease(action: Action, onDone: (r: ReleaseResult) => void): void {
  const btn = document.getElementById('release-button') as HTMLButtonElement;
  const dialog = document.querySelector('.release-result') as HTMLElement;
  btn.textContent = action.label || 'Release memory';
  btn.title = action.help || 'Runs a full compacting GC and returns freed memory to the operating system';
  btn.hidden = false;

  dialog.querySelector('.release-close')?.addEventListener('click', () => (dialog.hidden = true));
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') dialog.hidden = true;
  });

  btn.addEventListener('click', async () => {
    btn.disabled = true;
    btn.setAttribute('aria-busy', 'true');
    const label = btn.textContent;
    btn.textContent = 'Releasing…';
    try {
      const r = await api<ReleaseResult>(action.url, { method: 'POST' });
      showResult(dialog, r);
      onDone(r);
    } catch (e) {
      const msg =
        e instanceof HttpError
          ? e.status === 409
            ? 'A release is already running; try again when it ends.'
            : e.status === 403
              ? `Actions are disabled: ${e.message}`
              : `The release failed: ${e.message}`
          : 'The release failed: the server could not be reached.';
      showError(dialog, msg);
    } finally {
      btn.disabled = false;
      btn.removeAttribute('aria-busy');
      btn.textContent = label;
    }
  });
}

function showResult(dialog: HTMLElement, r: ReleaseResult): void {
  const body = dialog.querySelector('.release-body') as HTMLElement;
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
    const a = r.after?.[key] ?? null;
    const row = tb.insertRow();
    row.dataset.figure = key;
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = label;
    row.append(th);
    row.insertCell().textContent = formatValue(b, 'bytes');
    row.insertCell().textContent = '→';
    row.insertCell().textContent = formatValue(a, 'bytes');
    const d = row.insertCell();
    if (a != null && b != null) {
      d.textContent = formatDelta(a - b, 'bytes');
      d.className = a < b ? 'down' : a > b ? 'up' : '';
    } else {
      d.textContent = '—';
    }
  }
  const notes: string[] = [];
  if (r.durationMs != null) notes.push(`took ${Math.round(r.durationMs)} ms`);
  if (r.mallocTrim) notes.push(`malloc_trim: ${r.mallocTrim}`);
  if (r.gcIndex != null) notes.push(`GC #${r.gcIndex}`);
  const p = document.createElement('p');
  p.className = 'release-notes';
  p.textContent = notes.join(' · ');
  body.replaceChildren(table, p);
  dialog.hidden = false;
  (dialog.querySelector('.release-close') as HTMLElement | null)?.focus();
}

function showError(dialog: HTMLElement, msg: string): void {
  const body = dialog.querySelector('.release-body') as HTMLElement;
  dialog.dataset.outcome = 'error';
  const p = document.createElement('p');
  p.className = 'release-error';
  p.textContent = msg;
  body.replaceChildren(p);
  dialog.hidden = false;
}

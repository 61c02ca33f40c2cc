// The findings panel (what the memory doctor concluded over the range shown, api/findings) and the "About this
// process" block (the catalog's facts). Each finding: title, confidence, summary, evidence, the time its evidence
// covers (a button that zooms the charts there), next steps and where the docs explain it.

import { el } from './dom';
import { codeSegments, confidenceLabel, factRows, findingsSummary, rangeText, toneOf } from './findings-view';
import { hooks } from './hooks';
import type { DoctorReport, Finding } from './types';

/** A line with its `code` parts in <code>. */
function richLine<K extends keyof HTMLElementTagNameMap>(tag: K, line: string): HTMLElementTagNameMap[K] {
  const e = el(tag);
  for (const s of codeSegments(line)) e.append(s.code ? el('code', undefined, s.text) : document.createTextNode(s.text));
  return e;
}

export class FindingsPanel {
  private readonly summary: HTMLElement;
  private readonly scope: HTMLElement;
  private readonly message: HTMLElement;
  private readonly list: HTMLElement;

  constructor(
    private readonly root: HTMLElement,
    private readonly about: HTMLElement,
    private readonly zoom: (from: number, to: number) => void,
  ) {
    this.summary = root.querySelector('.findings-summary')!;
    this.scope = root.querySelector('.findings-scope')!;
    this.message = root.querySelector('.findings-message')!;
    this.list = root.querySelector('.findings-list')!;
  }

  /** Fills the "About this process" block; hidden when there are no facts. */
  setFacts(facts: Record<string, string> | undefined): void {
    const rows = factRows(facts);
    const dl = this.about.querySelector('dl')!;
    const frag = document.createDocumentFragment();
    for (const r of rows) {
      const dt = el('dt', undefined, r.label);
      const dd = el('dd');
      if (r.code) dd.classList.add('code');
      for (const v of r.values) {
        const line = el(r.code ? 'code' : 'span', 'fact-value', v);
        line.title = v;
        dd.append(line);
      }
      frag.append(dt, dd);
    }
    dl.replaceChildren(frag);
    this.about.hidden = rows.length === 0;
    hooks.facts = rows.map((r) => r.label);
  }

  /** Shows a doctor's report; `scope` says what range it judged ("the range shown", "the whole recording"). */
  show(report: DoctorReport, scope: string): void {
    this.root.hidden = false;
    this.message.hidden = true;
    this.summary.textContent = findingsSummary(report);
    this.root.dataset.healthy = String(!!report.healthy);
    this.scope.textContent = scope;
    const frag = document.createDocumentFragment();
    for (const f of report.findings ?? []) frag.append(this.card(f));
    this.list.replaceChildren(frag);
    hooks.findings = (report.findings ?? []).map((f) => f.id);
    hooks.findingsRange = { from: report.from, to: report.to };
    hooks.findingsLoads = (hooks.findingsLoads ?? 0) + 1;
  }

  /** The doctor could not answer: say so, and keep what was shown before (if anything). */
  showError(text: string): void {
    this.root.hidden = false;
    this.message.textContent = text;
    this.message.hidden = false;
    if (!this.list.firstChild) this.summary.textContent = 'Not available';
  }

  private card(f: Finding): HTMLElement {
    const tone = toneOf(f);
    const card = el('article', 'finding');
    card.dataset.findingId = f.id;
    card.dataset.tone = tone;
    card.dataset.confidence = f.confidence;

    const head = el('header', 'finding-head');
    head.append(el('h3', 'finding-title', (tone === 'healthy' ? '✓ ' : '') + f.title));
    if (tone === 'problem') {
      const badge = el('span', 'confidence', confidenceLabel(f.confidence));
      badge.dataset.level = f.confidence;
      head.append(badge);
    }
    card.append(head);
    if (f.summary) card.append(el('p', 'finding-summary', f.summary));

    if (f.evidence?.length) {
      const ul = el('ul', 'finding-evidence');
      for (const line of f.evidence) ul.append(richLine('li', line));
      card.append(ul);
    }

    if (tone !== 'neutral' && Number.isFinite(f.from) && Number.isFinite(f.to)) {
      const when = el('p', 'finding-when');
      const range = el('button', 'finding-range link', rangeText(f.from, f.to));
      range.type = 'button';
      range.title = 'Zoom the charts to this range';
      range.addEventListener('click', () => this.zoom(f.from, f.to));
      when.append(document.createTextNode(tone === 'healthy' ? 'Over ' : 'Seen over '), range);
      card.append(when);
    }

    if (f.next_steps?.length) {
      card.append(el('h4', 'finding-steps-title', 'Next steps'));
      const ol = el('ol', 'finding-steps');
      for (const step of f.next_steps) ol.append(richLine('li', step));
      card.append(ol);
    }

    if (f.docs && tone !== 'healthy') {
      const docs = el('p', 'finding-docs', 'Explained in ');
      docs.append(el('code', undefined, f.docs));
      card.append(docs);
    }
    return card;
  }
}

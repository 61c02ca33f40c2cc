// The retention view of one heap snapshot ("who holds it"): the dominator tree grouped by type, as an
// expandable table by retained size, roots first (`static Hub.Changed`, `pinned handle`, …); a row's
// button expands it, its label shows the full path to the root. Labels are the process's type and field
// names, so they are untrusted: every text goes through textContent. Each level shows PAGE rows, then a
// "more" button. Keys: Tab/Shift+Tab between buttons, Enter/Space to press, ↑/↓ between rows, → to expand,
// ← to collapse or go to the parent.

import { api } from './api';
import { el } from './dom';
import { formatBytes } from './format';
import { hooks } from './hooks';
import { ARROW, barFraction, buildTree, PAGE, pathLabels, visibleRows, type RetentionTree, type TreeRow } from './retention-view';
import { formatCountExact, share } from './snapshot-view';
import type { RetentionTreeJson, SnapshotRetentionResponse } from './types';

/** Nodes asked for first; "Load all" asks for the most the server sends. */
const FIRST_NODES = 1000;
const ALL_NODES = 20000;

export class RetentionView {
  private tree: RetentionTree | null = null;
  private readonly expanded = new Set<number>();
  private readonly shown = new Map<number, number>();
  private selected: number | null = null;
  private readonly body: HTMLTableSectionElement;
  private readonly path = el('div', 'retention-path');
  private readonly sub = el('p', 'snapshot-sub');

  constructor(
    private readonly root: HTMLElement,
    private readonly id: string,
  ) {
    this.body = document.createElement('tbody');
    this.path.setAttribute('role', 'status');
    this.path.setAttribute('aria-live', 'polite');
  }

  /** Loads the tree and draws it (or the empty state). Throws when the server cannot be asked. */
  async load(max = FIRST_NODES): Promise<void> {
    const r = await api<SnapshotRetentionResponse>(`api/snapshots/${encodeURIComponent(this.id)}/retention?max=${max}`);
    if (!this.root.isConnected) return; // another snapshot was chosen meanwhile
    const h = el('h3', '', 'Who holds it: retention by root');
    if (!r.retention) {
      hooks.retentionSnapshot = this.id;
      hooks.retentionRows = 0;
      const empty = el(
        'p',
        'snapshot-empty retention-empty',
        'This snapshot has no retention data: its heap walk recorded types and sizes only, not references and roots, so what holds the memory cannot be shown. The types above are shallow sizes.',
      );
      this.root.replaceChildren(h, empty);
      return;
    }
    this.tree = buildTree(r.retention.nodes);
    const table = el('table', 'retention-table');
    table.setAttribute('aria-label', `Who holds snapshot ${this.id}: roots, then the types they hold, by retained bytes`);
    const head = table.createTHead().insertRow();
    for (const t of ['Root, then the types it holds', 'Objects', 'Shallow', 'Retained', 'Share']) {
      const th = document.createElement('th');
      th.scope = 'col';
      th.textContent = t;
      head.append(th);
    }
    table.append(this.body);
    table.addEventListener('click', (e) => this.onClick(e));
    table.addEventListener('keydown', (e) => this.onKey(e));
    this.sub.replaceChildren(...this.counters(r.retention));
    this.path.replaceChildren(el('span', 'muted', 'Choose a row to see its whole path from the root.'));
    this.root.replaceChildren(h, this.sub, table, this.path);
    this.render();
    hooks.retentionSnapshot = this.id;
  }

  /** The line under the title: what the tree covers and what it leaves out, with "Load all" when the server held back nodes. */
  private counters(t: RetentionTreeJson): Node[] {
    const parts: string[] = [`${formatCountExact(t.nodeCount)} paths`];
    if (t.notSentNodes > 0) parts.push(`the ${formatCountExact(t.sentNodes)} largest shown`);
    if (t.unrootedObjects > 0)
      parts.push(`${formatCountExact(t.unrootedObjects)} objects (${formatBytes(t.unrootedBytes)}) reached from no reported root`);
    if (t.omittedObjects > 0)
      parts.push(`${formatCountExact(t.omittedObjects)} objects (${formatBytes(t.omittedBytes)}) in small paths left out by the analysis`);
    const out: Node[] = [document.createTextNode(parts.join(' · '))];
    if (t.notSentNodes > 0 && t.sentNodes < ALL_NODES) {
      const all = el('button', 'link', 'Load all');
      all.type = 'button';
      all.addEventListener('click', () => void this.load(ALL_NODES));
      out.push(document.createTextNode(' · '), all);
    }
    return out;
  }

  private render(): void {
    const tree = this.tree;
    if (!tree) return;
    const focused = document.activeElement instanceof HTMLElement && this.body.contains(document.activeElement) ? this.focusKey(document.activeElement) : null;
    const rows = visibleRows(tree, this.expanded, this.shown);
    this.body.replaceChildren(...rows.map((r) => this.row(r, tree)));
    hooks.retentionRows = rows.filter((r) => r.kind === 'node').length;
    if (focused) this.body.querySelector<HTMLElement>(focused)?.focus();
  }

  private row(r: TreeRow, tree: RetentionTree): HTMLTableRowElement {
    const tr = document.createElement('tr');
    const first = tr.insertCell();
    first.className = 'retention-label';
    first.style.paddingLeft = `${r.depth * 18}px`;
    if (r.kind === 'more') {
      tr.className = 'retention-more';
      const more = el('button', 'link', `${formatCountExact(r.hidden)} more…`);
      more.type = 'button';
      more.dataset.more = String(r.parent);
      more.title = `Show ${Math.min(PAGE, r.hidden)} more rows of this level`;
      first.append(more);
      first.colSpan = 5;
      return tr;
    }
    if (r.kind === 'not-sent') {
      tr.className = 'retention-more';
      first.textContent = `${formatCountExact(r.count)} smaller paths not loaded (${formatBytes(r.retained)} retained)`;
      first.colSpan = 5;
      return tr;
    }
    const n = r.node;
    tr.dataset.node = String(n.id);
    tr.className = n.kind === 'root' ? 'retention-root' : 'retention-type';
    if (this.selected === n.id) tr.classList.add('selected');
    const toggle = el('button', 'retention-toggle', r.expandable ? (r.expanded ? '▾' : '▸') : '·');
    toggle.type = 'button';
    toggle.dataset.toggle = String(n.id);
    if (r.expandable) {
      toggle.setAttribute('aria-expanded', String(r.expanded));
      toggle.setAttribute('aria-label', `${r.expanded ? 'Collapse' : 'Expand'} ${n.label}`);
    } else {
      toggle.disabled = true;
      toggle.setAttribute('aria-label', 'Holds nothing further');
    }
    const label = el('button', 'retention-name link', n.label);
    label.type = 'button';
    label.dataset.select = String(n.id);
    label.title = 'Show the path from the root';
    label.setAttribute('aria-pressed', String(this.selected === n.id));
    first.append(toggle, label);
    const cell = (text: string) => {
      const c = tr.insertCell();
      c.className = 'num';
      c.textContent = text;
    };
    cell(n.kind === 'root' ? '' : formatCountExact(n.count));
    cell(n.kind === 'root' ? '' : formatBytes(n.bytes));
    cell(formatBytes(n.retained));
    const bar = tr.insertCell();
    bar.className = 'retention-share';
    const track = el('span', 'bar');
    const fill = el('span', 'bar-fill');
    fill.style.width = `${(barFraction(n.retained, tree.total) * 100).toFixed(1)}%`;
    track.append(fill);
    bar.append(track, el('span', 'bar-text', share(n.retained, tree.total)));
    return tr;
  }

  private onClick(e: MouseEvent): void {
    const t = (e.target as HTMLElement).closest<HTMLElement>('button');
    if (!t) return;
    if (t.dataset.toggle != null) this.toggle(Number(t.dataset.toggle));
    else if (t.dataset.select != null) this.select(Number(t.dataset.select));
    else if (t.dataset.more != null) {
      const parent = Number(t.dataset.more);
      this.shown.set(parent, (this.shown.get(parent) ?? PAGE) + PAGE);
      this.render();
    }
  }

  private onKey(e: KeyboardEvent): void {
    const t = e.target as HTMLElement;
    const tr = t.closest<HTMLTableRowElement>('tr[data-node]');
    if (!tr || !this.tree) return;
    const id = Number(tr.dataset.node);
    const rowButton = (row: Element | null) => row?.querySelector<HTMLElement>('button.retention-name, button[data-more]');
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      let row: Element | null = tr;
      do row = e.key === 'ArrowDown' ? row.nextElementSibling : row.previousElementSibling;
      while (row && !rowButton(row));
      rowButton(row)?.focus();
    } else if (e.key === 'ArrowRight') {
      if (!this.expanded.has(id)) this.toggle(id);
    } else if (e.key === 'ArrowLeft') {
      if (this.expanded.has(id)) this.toggle(id);
      else {
        const parent = this.tree.byId.get(id)?.parent ?? -1;
        if (parent !== -1) this.body.querySelector<HTMLElement>(`tr[data-node="${parent}"] button.retention-name`)?.focus();
      }
    } else return;
    e.preventDefault();
  }

  private toggle(id: number): void {
    if (this.expanded.has(id)) this.expanded.delete(id);
    else this.expanded.add(id);
    this.render();
  }

  private select(id: number): void {
    const tree = this.tree;
    const n = tree?.byId.get(id);
    if (!tree || !n) return;
    this.selected = id;
    const labels = pathLabels(tree, id);
    const list = el('ol', 'retention-steps');
    list.setAttribute('aria-label', 'Path from the root');
    for (const l of labels) list.append(el('li', '', l));
    const figures =
      n.kind === 'root'
        ? `${formatBytes(n.retained)} retained by this root`
        : `${formatCountExact(n.count)} objects · ${formatBytes(n.bytes)} own · ${formatBytes(n.retained)} retained`;
    this.path.replaceChildren(el('span', 'retention-path-title', 'Path from the root: '), list, el('span', 'muted', figures));
    hooks.retentionPath = labels.join(ARROW);
    this.render();
  }

  /** A selector that finds the same button after the table is drawn again. */
  private focusKey(e: HTMLElement): string | null {
    for (const k of ['toggle', 'select', 'more'] as const) {
      const v = e.dataset[k];
      if (v != null) return `button[data-${k}="${CSS.escape(v)}"]`;
    }
    return null;
  }
}

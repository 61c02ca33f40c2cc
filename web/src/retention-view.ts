// Pure helpers of the retention view ("who holds it"): the tree of api/snapshots/{id}/retention indexed by
// parent, paths to a root, what is shown of each level, the rows of the table in order. No DOM here, so that
// they are unit-tested.

import type { RetentionNodeJson } from './types';

/** Rows shown per level before a "more" button; each press shows this many more. */
export const PAGE = 50;

/** The path separator, as the server's PathText writes it. */
export const ARROW = ' → ';

export interface RetentionTree {
  byId: Map<number, RetentionNodeJson>;
  /** Children of each node (−1: the roots), largest retained first (ties: smaller id first). */
  children: Map<number, RetentionNodeJson[]>;
  /** What the roots retain together: the scale of the bars. */
  total: number;
  /** Nodes whose parent is not in the answer (a damaged answer); left out. */
  orphans: number;
}

function byRetained(a: RetentionNodeJson, b: RetentionNodeJson): number {
  return b.retained - a.retained || a.id - b.id;
}

/** Indexes the nodes by parent. A node whose parent is missing is counted and left out, never shown at the top. */
export function buildTree(nodes: RetentionNodeJson[]): RetentionTree {
  const byId = new Map<number, RetentionNodeJson>();
  for (const n of nodes) byId.set(n.id, n);
  const children = new Map<number, RetentionNodeJson[]>();
  let orphans = 0;
  let total = 0;
  for (const n of nodes) {
    if (n.parent !== -1 && (!byId.has(n.parent) || n.parent === n.id)) {
      orphans++;
      continue;
    }
    if (n.parent === -1) total += Math.max(0, n.retained);
    let list = children.get(n.parent);
    if (!list) children.set(n.parent, (list = []));
    list.push(n);
  }
  for (const list of children.values()) list.sort(byRetained);
  return { byId, children, total, orphans };
}

/** Labels from the root down to node `id`, root first; empty for an unknown id. Stops on a cycle. */
export function pathLabels(tree: RetentionTree, id: number): string[] {
  const labels: string[] = [];
  const seen = new Set<number>();
  for (let n = tree.byId.get(id); n && !seen.has(n.id); n = n.parent === -1 ? undefined : tree.byId.get(n.parent)) {
    seen.add(n.id);
    labels.push(n.label);
  }
  return labels.reverse();
}

/** The share of the bar: 0 … 1 of `total`. */
export function barFraction(retained: number, total: number): number {
  if (!(total > 0) || !Number.isFinite(retained) || retained <= 0) return 0;
  return Math.min(1, retained / total);
}

/** One row of the table: a node at its depth, or the "more" button of a level. */
export type TreeRow =
  | { kind: 'node'; node: RetentionNodeJson; depth: number; expandable: boolean; expanded: boolean }
  | { kind: 'more'; parent: number; depth: number; hidden: number }
  | { kind: 'not-sent'; parent: number; depth: number; count: number; retained: number };

/**
 * The rows to show, in order: the roots, and under each expanded node its children — at most `shown(parent)`
 * of each level (PAGE by default), then a "more" row for the rest and a note for children the server left out.
 */
export function visibleRows(tree: RetentionTree, expanded: ReadonlySet<number>, shown: ReadonlyMap<number, number>): TreeRow[] {
  const rows: TreeRow[] = [];
  const walk = (parent: number, depth: number) => {
    const list = tree.children.get(parent) ?? [];
    const limit = Math.min(list.length, shown.get(parent) ?? PAGE);
    for (let i = 0; i < limit; i++) {
      const node = list[i];
      const kids = tree.children.get(node.id)?.length ?? 0;
      const open = expanded.has(node.id) && (kids > 0 || (node.notSentChildren ?? 0) > 0);
      rows.push({ kind: 'node', node, depth, expandable: kids > 0 || (node.notSentChildren ?? 0) > 0, expanded: open });
      if (open) walk(node.id, depth + 1);
    }
    if (list.length > limit) rows.push({ kind: 'more', parent, depth, hidden: list.length - limit });
    const parentNode = tree.byId.get(parent);
    if (parentNode?.notSentChildren) {
      rows.push({ kind: 'not-sent', parent, depth, count: parentNode.notSentChildren, retained: parentNode.notSentRetained ?? 0 });
    }
  };
  walk(-1, 0);
  return rows;
}

// What a chart definition from the catalog means for the page: which y axis each series is drawn on,
// the unit of each axis, whether the chart applies to the data held, and which series to hold.
// Pure (no DOM, no uPlot), so it is unit-tested.

import type { ChartDef, SeriesDef, Unit } from './types';

export type AxisId = 'y' | 'y2';

/** The scale of a series: 'y2' (the right-hand axis) only when the catalog says so, 'y' (left) otherwise. */
export function axisOf(s: SeriesDef): AxisId {
  return s.axis === 'y2' ? 'y2' : 'y';
}

/** The unit of a series: its own, or the chart's. */
export function unitOf(def: ChartDef, s: SeriesDef): Unit {
  return s.unit ?? def.unit;
}

/**
 * The unit of the right-hand axis: that of its first series, or null when no series is drawn on it
 * (then the chart has no right-hand axis).
 */
export function rightUnit(def: ChartDef): Unit | null {
  const s = (def.series ?? []).find((x) => axisOf(x) === 'y2');
  return s ? unitOf(def, s) : null;
}

/** The label of a series in the legend, the help and the PNG: a right-axis series says so. */
export function seriesLabel(s: SeriesDef): string {
  return axisOf(s) === 'y2' ? `${s.label} (right axis)` : s.label;
}

/**
 * Whether a series chart has anything to show: one of its series has data and, when it lists
 * `requires`, one of those has data too (a chart with RSS beside Go's figures must not show for
 * every process just because RSS has data).
 */
export function applies(def: ChartDef, hasData: (id: string) => boolean): boolean {
  if (!(def.series ?? []).some((s) => hasData(s.id))) return false;
  const req = def.requires;
  return !req || req.length === 0 || req.some(hasData);
}

/** Every series id the page holds for these charts, each once: their series, then what they require. */
export function heldSeriesIds(defs: ChartDef[]): string[] {
  const ids = new Set<string>();
  for (const d of defs) {
    for (const s of d.series ?? []) ids.add(s.id);
    for (const id of d.requires ?? []) ids.add(id);
  }
  return [...ids];
}

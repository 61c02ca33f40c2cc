// One chart card: title, help popover, PNG/CSV buttons and one uPlot. Generic: everything comes
// from the catalog's chart definition. Line charts draw each series' mean as a line and its
// min/max as a translucent band, on the left axis or, for series the catalog puts on "y2", on a
// right-hand axis with its own scale; the "gc-pauses" chart draws one point per GC.

import uPlot from 'uplot';
import { bandExtent, drawBands, drawPoints, visibleRange, type Band } from './bands';
import { applies, axisOf, rightUnit, seriesLabel, unitOf, type AxisId } from './chart-def';
import type { SeriesStore } from './data';
import { el } from './dom';
import { lowerBound, type EventStore } from './events';
import { axisTicks, bytesIncrs, formatTime, formatValue, timeTicks } from './format';
import { drawActionMarkers, drawGcMarkers, generationColor } from './markers';
import type { View } from './hooks';
import { chartColors } from './theme';
import type { ChartDef, MemEvent, SeriesDef, Unit } from './types';

/** What a chart needs from the page. */
export interface ChartHost {
  store: SeriesStore;
  events: EventStore;
  view(): View;
  zoom(from: number, to: number): void;
  resetZoom(): void;
  /** Called after each draw of a chart (for the test hooks). */
  drawn(): void;
}

const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#db2777', '#65a30d', '#4f46e5', '#b45309'];
const CHART_HEIGHT = 230;
const FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
const GC_GENERATIONS = [0, 1, 2, -1];

/** Lines may break only over a real hole in the data; slower sources (smaps_rollup) leave shorter ones. */
const MIN_GAP_MS = 90_000;

let measureCtx: CanvasRenderingContext2D | null = null;
function textWidth(s: string): number {
  measureCtx ??= document.createElement('canvas').getContext('2d');
  if (!measureCtx) return s.length * 7;
  measureCtx.font = FONT;
  return measureCtx.measureText(s).width;
}

export function withAlpha(color: string, alpha: number): string {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color.trim());
  if (!m) return color;
  let h = m[1];
  if (h.length === 3) h = h[0] + h[0] + h[1] + h[1] + h[2] + h[2];
  const n = parseInt(h, 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

export class Chart {
  readonly card: HTMLElement;
  private readonly body: HTMLElement;
  private readonly popover: HTMLElement;
  private readonly helpButton: HTMLButtonElement;
  private plot: uPlot | null = null;
  private readonly series: SeriesDef[];
  private readonly isGc: boolean;
  /** GC events with a pause, in the order of the gc-pauses chart's x axis. */
  private gcs: MemEvent[] = [];
  /** For each generation, the indices of its GCs in `gcs`. */
  private gcIdxs: number[][] = [];
  private seen = { store: -1, events: -1, from: NaN, to: NaN };
  private visSeen = { store: -1, events: -1 };
  /** Release markers in the last draw. */
  releaseMarkers = 0;
  actionMarkers = 0;
  private width = 0;

  constructor(
    readonly def: ChartDef,
    private readonly host: ChartHost,
  ) {
    this.isGc = def.kind === 'gc-pauses';
    this.series = (def.series ?? []).map((s, i) => ({ ...s, color: s.color || PALETTE[i % PALETTE.length] }));

    this.card = el('section', 'chart-card');
    this.card.dataset.chartId = def.id;
    this.card.hidden = true;
    this.card.setAttribute('aria-label', def.title);

    const head = el('header', 'chart-head');
    head.append(el('h2', 'chart-title', def.title));
    const tools = el('div', 'chart-tools');
    this.helpButton = button('?', 'help-button', `About “${def.title}”`);
    const png = button('PNG', 'png-button', `Download “${def.title}” as a PNG image`);
    const csv = button('CSV', 'csv-button', `Download the visible range of “${def.title}” as CSV`);
    tools.append(this.helpButton, png, csv);
    head.append(tools);

    this.popover = this.buildPopover();
    this.helpButton.setAttribute('aria-expanded', 'false');
    this.helpButton.setAttribute('aria-controls', this.popover.id);
    this.helpButton.addEventListener('click', (e) => {
      e.stopPropagation();
      this.toggleHelp();
    });
    png.addEventListener('click', () => void this.downloadPng());
    csv.addEventListener('click', () => this.downloadCsv());

    this.body = el('div', 'chart-body');
    this.card.append(head, this.popover, this.body);

    new ResizeObserver(() => this.resize()).observe(this.body);
  }

  // ---- help popover ----

  /** The popover element; its content is built on first open (it is not needed for the first paint). */
  private buildPopover(): HTMLElement {
    const pop = el('div', 'help-popover');
    pop.id = 'help-' + this.def.id.replace(/[^a-zA-Z0-9_-]/g, '_');
    pop.setAttribute('role', 'dialog');
    pop.setAttribute('aria-label', `About ${this.def.title}`);
    pop.hidden = true;
    return pop;
  }

  private fillPopover(): void {
    const pop = this.popover;
    const close = button('×', 'help-close', 'Close help');
    close.addEventListener('click', () => this.toggleHelp(false));
    pop.append(close, el('h3', undefined, this.def.title));
    if (this.def.help) pop.append(el('p', undefined, this.def.help));
    const list = el('dl');
    if (this.isGc) {
      for (const g of GC_GENERATIONS) {
        list.append(swatchTerm(genLabel(g), generationColor(g)));
        list.append(el('dd', undefined, g < 0 ? 'GCs whose generation is not known.' : `Pause of each gen${g} GC.`));
      }
    }
    for (const s of this.series) {
      list.append(swatchTerm(seriesLabel(s), s.color!));
      const dd = el('dd', undefined, s.help || '');
      dd.append(el('span', 'help-id', ` ${s.id} · ${unitOf(this.def, s)}`));
      list.append(dd);
    }
    if (list.childElementCount) pop.append(list);
  }

  toggleHelp(open?: boolean): void {
    const show = open ?? this.popover.hidden;
    if (show && !this.popover.firstChild) this.fillPopover();
    this.popover.hidden = !show;
    this.helpButton.setAttribute('aria-expanded', String(show));
    if (show) this.card.classList.add('help-open');
    else this.card.classList.remove('help-open');
  }

  isHelpOpen(): boolean {
    return !this.popover.hidden;
  }

  containsNode(n: Node): boolean {
    return this.popover.contains(n) || this.helpButton.contains(n);
  }

  // ---- data ----

  /** Whether there is anything to draw in the loaded data (and, for a chart with `requires`, whether it applies). */
  hasData(): boolean {
    if (this.isGc) return this.host.events.all.some(isTimedGc);
    return applies(this.def, (id) => this.host.store.hasData(id));
  }

  private data(): uPlot.AlignedData {
    if (this.isGc) {
      this.gcs = this.host.events.all.filter(isTimedGc);
      const x = this.gcs.map((e) => e.ts);
      const cols = GC_GENERATIONS.map((g) => this.gcs.map((e) => (genOf(e) === g ? (e.pause as number) : null)));
      this.gcIdxs = GC_GENERATIONS.map(() => []);
      this.gcs.forEach((e, i) => this.gcIdxs[GC_GENERATIONS.indexOf(genOf(e))].push(i));
      return [x, ...cols];
    }
    const store = this.host.store;
    const out: uPlot.AlignedData = [store.t];
    for (const s of this.series) out.push(store.cols.get(s.id)!.v);
    return out;
  }

  /**
   * Whether the card should now be shown (true) or hidden (false), or null when nothing changed.
   * Reads no layout and writes no DOM, so the page can decide for every chart first.
   */
  visibilityChange(): boolean | null {
    const { store, events } = this.host;
    if (this.visSeen.store === store.version && this.visSeen.events === events.version) return null;
    this.visSeen = { store: store.version, events: events.version };
    const visible = this.hasData();
    return this.card.hidden === visible ? visible : null;
  }

  /** Shows or hides the card; true when it is shown and has no plot yet (the caller creates it). */
  setVisible(visible: boolean): boolean {
    this.card.hidden = !visible;
    return visible && !this.plot;
  }

  /** Horizontal padding and border of the card, from style alone (no layout). */
  cardInset(): number {
    const cs = getComputedStyle(this.card);
    return (
      parseFloat(cs.paddingLeft) + parseFloat(cs.paddingRight) + parseFloat(cs.borderLeftWidth) + parseFloat(cs.borderRightWidth)
    );
  }

  bodyWidth(): number {
    return Math.floor(this.body.clientWidth);
  }

  /** Brings the chart up to date with the data, the events and the view; cheap when nothing changed. */
  render(): void {
    const { store, events } = this.host;
    const view = this.host.view();
    const storeChanged = this.seen.store !== store.version;
    const eventsChanged = this.seen.events !== events.version;
    const viewChanged = this.seen.from !== view.from || this.seen.to !== view.to;
    if (!storeChanged && !eventsChanged && !viewChanged) return;
    if (this.card.hidden || !this.plot) return;
    if (storeChanged || viewChanged || (this.isGc && eventsChanged)) {
      this.plot.setData(this.data());
      if (this.plot.cursor.left == null || this.plot.cursor.left < 0) this.plot.setLegend({ idx: null as unknown as number });
    } else {
      this.plot.redraw(false, false);
    }
    this.seen = { store: store.version, events: events.version, from: view.from, to: view.to };
  }

  /** Theme change: axes and markers read their colours at draw time. */
  restyle(): void {
    if (!this.plot) return;
    if (this.isGc) {
      // The point colours are fixed at creation.
      this.plot.destroy();
      this.plot = null;
      this.create(this.bodyWidth());
    } else {
      this.plot.redraw(false, true);
    }
  }

  /** Width in CSS pixels of the plotting area, for the number of points to ask for. */
  plotWidth(): number {
    if (this.plot) return Math.round(this.plot.bbox.width / uPlot.pxRatio);
    return Math.max(100, (this.body.clientWidth || 600) - 70);
  }

  private resize(): void {
    const w = Math.floor(this.body.clientWidth);
    if (!this.plot || w <= 0 || w === this.width) return;
    this.width = w;
    this.plot.setSize({ width: w, height: CHART_HEIGHT });
  }

  create(width: number): void {
    if (this.plot) return;
    this.width = width || 600;
    this.plot = new uPlot(this.options(), this.data(), this.body);
    const v = this.host.view();
    this.seen = { store: this.host.store.version, events: this.host.events.version, from: v.from, to: v.to };
  }

  private options(): uPlot.Options {
    const host = this.host;
    const unit = this.def.unit;
    const series: uPlot.Series[] = [
      {
        label: 'Time',
        value: (u, raw, _s, idx) => (idx == null ? 'latest' : formatTime(raw ?? (u.data[0][idx] as number))),
      },
    ];
    if (this.isGc) {
      for (const g of GC_GENERATIONS) {
        const color = generationColor(g);
        series.push({
          label: genLabel(g),
          stroke: color,
          fill: color,
          // Drawn by drawPoints in the draw hook: uPlot's points would draw every one of thousands.
          paths: () => null,
          points: { show: false },
          value: (_u, raw, _s, idx) => {
            // Off the chart: the latest GC of this generation.
            if (idx == null) {
              const mine = this.gcIdxs[GC_GENERATIONS.indexOf(g)];
              return mine?.length ? this.gcText(this.gcs[mine[mine.length - 1]]) : '—';
            }
            return raw == null ? '—' : this.gcText(this.gcs[idx]);
          },
        });
      }
    } else {
      for (const s of this.series) {
        const color = s.color!;
        const sUnit = unitOf(this.def, s);
        series.push({
          label: seriesLabel(s),
          scale: axisOf(s),
          stroke: color,
          width: s.fill ? 1.25 : 1.5,
          fill: s.fill ? withAlpha(color, 0.22) : undefined,
          points: { show: false },
          gaps: this.gapFilter,
          value: (_u, raw, _sidx, idx) => this.legendValue(s.id, idx, raw, sUnit),
        });
      }
    }

    const axisStroke = () => chartColors().axis;
    const gridStroke = () => chartColors().grid;
    const size = (_u: uPlot, values: string[] | null) => {
      if (!values || values.length === 0) return 50;
      let w = 0;
      for (const v of values) if (v) w = Math.max(w, textWidth(v));
      return Math.ceil(w) + 16;
    };
    const yAxis = (scale: AxisId, axisUnit: Unit): uPlot.Axis => {
      const axis: uPlot.Axis = {
        scale,
        stroke: axisStroke,
        font: FONT,
        // One grid, the left axis's: a second one would not line up with it.
        grid: scale === 'y' ? { stroke: gridStroke, width: 1 } : { show: false },
        ticks: { stroke: gridStroke, width: 1, size: 4 },
        size,
        values: (u, splits, _i, _space, incr) =>
          axisTicks(axisUnit, splits, incr, u.scales[scale].min ?? 0, u.scales[scale].max ?? 0),
      };
      if (scale === 'y2') axis.side = 1;
      if (axisUnit === 'bytes' || axisUnit === 'bytes/s') axis.incrs = (_u, _i, min, max) => bytesIncrs(min, max);
      return axis;
    };
    const right = this.isGc ? null : rightUnit(this.def);
    const yRange = (scale: AxisId): uPlot.Scale.Range => (_u, min, max) => {
      if (!this.isGc) [min, max] = this.withBands(min, max, scale);
      if (min == null || max == null || !isFinite(min) || !isFinite(max)) return [0, 1];
      // Counters and sizes start at zero: show it when it is near, otherwise zoom on the data.
      const r = uPlot.rangeNum(min, max, 0.1, true);
      if (min >= 0 && (r[0] ?? 0) < 0) r[0] = 0;
      if (this.isGc) r[0] = 0;
      return r;
    };
    const scales: uPlot.Scales = {
      x: { time: true, range: () => { const v = host.view(); return [v.from, v.to]; } },
      y: { range: yRange('y') },
    };
    if (right) scales.y2 = { range: yRange('y2') };

    return {
      width: this.width,
      height: CHART_HEIGHT,
      ms: 1,
      series,
      scales,
      axes: [
        {
          stroke: axisStroke,
          font: FONT,
          space: 70,
          grid: { stroke: gridStroke, width: 1 },
          ticks: { stroke: gridStroke, width: 1, size: 4 },
          values: (_u, splits, _i, _space, incr) => timeTicks(splits, incr),
        },
        yAxis('y', this.isGc ? 'seconds' : unit),
        ...(right ? [yAxis('y2', right)] : []),
      ],
      legend: { live: true },
      cursor: {
        sync: {
          key: 'memlens',
          setSeries: false,
          // Share the hover position, not the drag: the page zooms every chart itself.
          filters: { pub: (type) => type === 'mousemove' || type === 'mouseleave' || type === 'mouseenter' },
        },
        drag: { x: true, y: false, setScale: false },
        points: { size: 7 },
        hover: this.isGc ? {} : { skip: [null, undefined] },
        bind: {
          dblclick: () => () => {
            host.resetZoom();
            return null;
          },
        },
      },
      hooks: {
        drawAxes: [
          (u) => {
            drawGcMarkers(u, host.events.all);
            if (!this.isGc) drawBands(u, host.store.t, this.bands(), this.gapMs());
          },
        ],
        draw: [
          (u) => {
            if (this.isGc) {
              GC_GENERATIONS.forEach((g, i) => drawPoints(u, i + 1, this.gcIdxs[i] ?? [], withAlpha(generationColor(g), 0.8)));
            }
          },
          (u) => {
            const marks = drawActionMarkers(u, host.events.all);
            this.releaseMarkers = marks.releases;
            this.actionMarkers = marks.actions;
            host.drawn();
          },
        ],
        setSelect: [
          (u) => {
            const sel = u.select;
            if (sel.width < 4) return;
            const from = u.posToVal(sel.left, 'x');
            const to = u.posToVal(sel.left + sel.width, 'x');
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            host.zoom(Math.round(from), Math.round(to));
          },
        ],
      },
    };
  }

  private gcText(e: MemEvent | undefined): string {
    if (!e || typeof e.pause !== 'number') return '—';
    return formatValue(e.pause, 'seconds') + ` (#${e.index ?? '?'}${e.kind ? ' ' + e.kind : ''})`;
  }

  /** Values may be missing for this long before a line (or band) breaks: longer means a real hole in the data. */
  private gapMs(): number {
    return Math.max(MIN_GAP_MS, 3 * this.host.store.step);
  }

  /** Breaks a line only where values are missing for longer than gapMs(); slower sources leave shorter holes. */
  private gapFilter = (u: uPlot, _sidx: number, _i0: number, _i1: number, nullGaps: uPlot.Series.Gaps): uPlot.Series.Gaps => {
    const min = u.scales.x.min;
    const max = u.scales.x.max;
    if (min == null || max == null || nullGaps.length === 0) return nullGaps;
    const msPerPx = (max - min) / Math.max(1, u.bbox.width);
    const limit = this.gapMs();
    return nullGaps.filter((g) => (g[1] - g[0]) * msPerPx > limit);
  };

  /** The min/max bands of the series that have them (downsampled data, or live buckets), of one y scale or all. */
  private bands(scale?: AxisId): Band[] {
    const out: Band[] = [];
    for (const s of this.series) {
      const c = this.host.store.cols.get(s.id)!;
      const sc = axisOf(s);
      if (c.banded && (scale == null || sc === scale)) out.push({ min: c.min, max: c.max, fill: withAlpha(s.color!, 0.16), scale: sc });
    }
    return out;
  }

  /** Widens the range that uPlot found for a y scale from the means so that the bands of its series fit too. */
  private withBands(min: number, max: number, scale: AxisId): [number, number] {
    const bands = this.bands(scale);
    if (bands.length === 0) return [min, max];
    const v = this.host.view();
    const [i0, i1] = visibleRange(this.host.store.t, v.from, v.to);
    const [lo, hi] = bandExtent(bands, i0, i1);
    return [isFinite(min) ? Math.min(min, lo) : lo, isFinite(max) ? Math.max(max, hi) : hi];
  }

  /** Legend value: the hovered bucket (with its min–max when they differ) or, off the chart, the latest value. */
  private legendValue(id: string, idx: number | null, raw: number | null, unit: Unit): string {
    const c = this.host.store.cols.get(id)!;
    if (idx == null) {
      for (let i = c.v.length - 1; i >= 0; i--) if (c.v[i] != null) return formatValue(c.v[i], unit);
      return '—';
    }
    if (raw == null) return '—';
    const mn = c.min[idx];
    const mx = c.max[idx];
    const s = formatValue(raw, unit);
    if (mn == null || mx == null) return s;
    const lo = formatValue(mn, unit);
    const hi = formatValue(mx, unit);
    return lo === s && hi === s ? s : `${s} (${lo} – ${hi})`;
  }

  // ---- export ----

  /** The chart as a PNG: background, title and series legend above uPlot's canvas. */
  async pngBlob(): Promise<Blob | null> {
    if (!this.plot) return null;
    const src = this.plot.ctx.canvas;
    const r = uPlot.pxRatio;
    const colors = chartColors();
    const head = Math.round(54 * r);
    const pad = Math.round(10 * r);
    const canvas = document.createElement('canvas');
    canvas.width = src.width + 2 * pad;
    canvas.height = src.height + head + pad;
    const ctx = canvas.getContext('2d')!;
    ctx.fillStyle = colors.background;
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.fillStyle = colors.text;
    ctx.textBaseline = 'top';
    ctx.font = `600 ${15 * r}px system-ui, sans-serif`;
    ctx.fillText(this.def.title, pad, pad);
    ctx.font = `${12 * r}px system-ui, sans-serif`;
    let x = pad;
    const y = pad + 24 * r;
    const items = this.isGc
      ? GC_GENERATIONS.map((g) => ({ label: genLabel(g), color: generationColor(g) }))
      : this.series.map((s) => ({ label: seriesLabel(s), color: s.color! }));
    items.push({ label: 'release / GC / snapshot', color: colors.release });
    for (const it of items) {
      ctx.fillStyle = it.color;
      ctx.fillRect(x, y + 2 * r, 10 * r, 10 * r);
      ctx.fillStyle = colors.text;
      ctx.fillText(it.label, x + 14 * r, y);
      x += 14 * r + ctx.measureText(it.label).width + 14 * r;
    }
    ctx.textAlign = 'right';
    const v = this.host.view();
    ctx.fillText(`${formatTime(v.from)} – ${formatTime(v.to)}`, canvas.width - pad, pad + 3 * r);
    ctx.drawImage(src, pad, head);
    return new Promise((resolve) => canvas.toBlob(resolve, 'image/png'));
  }

  private async downloadPng(): Promise<void> {
    const blob = await this.pngBlob();
    if (blob) download(blob, `memlens-${this.def.id}-${stamp()}.png`);
  }

  /** The visible range as CSV: ISO time, then each series (and its min/max when present). */
  csv(): string {
    const { from, to } = this.host.view();
    const rows: string[] = [];
    if (this.isGc) {
      rows.push('time,index,generation,kind,pause_seconds');
      const all = this.host.events.all;
      for (let i = lowerBound(all, from); i < all.length && all[i].ts <= to; i++) {
        const e = all[i];
        if (!isTimedGc(e)) continue;
        rows.push([new Date(e.ts).toISOString(), e.index ?? '', genOf(e) < 0 ? '' : genOf(e), csvText(e.kind ?? ''), e.pause].join(','));
      }
      return rows.join('\n') + '\n';
    }
    const store = this.host.store;
    const cols = this.series.map((s) => ({ id: s.id, c: store.cols.get(s.id)! }));
    const header = ['time'];
    for (const { id, c } of cols) {
      header.push(csvText(id));
      if (c.banded) header.push(csvText(id + '.min'), csvText(id + '.max'));
    }
    rows.push(header.join(','));
    const t = store.t;
    for (let i = 0; i < t.length; i++) {
      if (t[i] < from || t[i] > to) continue;
      const row: (string | number)[] = [new Date(t[i]).toISOString()];
      for (const { c } of cols) {
        row.push(c.v[i] ?? '');
        if (c.banded) row.push(c.min[i] ?? '', c.max[i] ?? '');
      }
      rows.push(row.join(','));
    }
    return rows.join('\n') + '\n';
  }

  private downloadCsv(): void {
    download(new Blob([this.csv()], { type: 'text/csv' }), `memlens-${this.def.id}-${stamp()}.csv`);
  }
}

function isTimedGc(e: MemEvent): boolean {
  return e.type === 'gc' && typeof e.pause === 'number' && e.details !== false;
}

function genOf(e: MemEvent): number {
  return e.generation === 0 || e.generation === 1 || e.generation === 2 ? e.generation : -1;
}

function genLabel(g: number): string {
  return g < 0 ? 'gen ?' : 'gen' + g;
}

function button(text: string, cls: string, label: string): HTMLButtonElement {
  const b = el('button', cls, text);
  b.type = 'button';
  b.setAttribute('aria-label', label);
  b.title = label;
  return b;
}

function swatchTerm(label: string, color: string): HTMLElement {
  const dt = el('dt');
  const sw = el('span', 'swatch');
  sw.style.background = color;
  dt.append(sw, document.createTextNode(label));
  return dt;
}

function csvText(s: string): string {
  return /[",\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

function stamp(): string {
  return new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
}

export function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

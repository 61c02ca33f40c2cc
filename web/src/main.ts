// The dashboard page: takes the catalog, builds one chart per catalog chart, loads the range
// (series and events in parallel), then follows the live stream. See docs/dashboard-api.md.

import { estimatePoints, firstCatalog, firstRange, offline, presetFromFragment, report, requestRange, type RangeRequest } from './boot';
import { api, encodedSize, fragmentParams } from './api';
import { Chart, type ChartHost } from './chart';
import { heldSeriesIds } from './chart-def';
import { SeriesStore } from './data';
import { EventStore } from './events';
import { FindingsPanel } from './findings';
import { findingsRefreshMs } from './findings-view';
import { formatSpan, formatTime } from './format';
import { hooks, type View } from './hooks';
import { clampPoints, PRESET_MS, presetRange, type Preset } from './presets';
import { eventsCutNote } from './report-data';
import { initFullGc, initRelease } from './release';
import { SnapshotPanel } from './snapshots';
import { StatusStrip } from './status';
import { LiveStream } from './stream';
import { initTheme } from './theme';
import { TimelinePanel } from './timeline';
import type { Catalog, DoctorReport, InducedGcResult, MemEvent, ReleaseResult, Sample, Status } from './types';

/** Live frames kept to re-apply after a reload (what arrived while the request was under way). */
const RECENT_MAX = 900;
/** Above this clock difference the first range, sent on the browser's clock, is asked again. */
const MAX_SKEW_MS = 5000;
/** A change of range asks for the findings once it has settled this long (drags, preset clicks). */
const FINDINGS_DEBOUNCE_MS = 400;

const $ = <T extends HTMLElement>(sel: string) => document.querySelector(sel) as T;

class App implements ChartHost {
  store!: SeriesStore;
  events = new EventStore();
  private catalog!: Catalog;
  private charts: Chart[] = [];
  private preset: Preset = presetFromFragment();
  private zoomRange: View | null = null;
  private current: View = { from: Date.now() - 3_600_000, to: Date.now() };
  private paused = false;
  private skewMs = 0;
  private points = 600;
  private fetchGen = 0;
  private refetchQueued = false;
  /** The newest live sample applied, and the newest drawn. */
  private liveTs = 0;
  private drawnLiveTs = 0;
  private recentSamples: Sample[] = [];
  private recentEvents: MemEvent[] = [];
  private rafPending = false;
  private firstPaint = false;
  private readonly strip = new StatusStrip($('.status-strip'), $('.connection-banner'));
  private readonly grid = $<HTMLElement>('#charts');
  private snapshots: SnapshotPanel | null = null;
  /** False for a recording or a report: nothing streams, presets end at the recording's end. */
  private live = true;
  private readonly findings = new FindingsPanel($('#findings-panel'), $('#about-process'), (from, to) => this.zoom(from, to));
  private findingsGen = 0;
  private findingsTimer = 0;
  private timeline: TimelinePanel | null = null;

  view(): View {
    return this.current;
  }

  async start(): Promise<void> {
    initTheme(() => this.charts.forEach((c) => c.restyle()));
    this.wireToolbar();

    this.catalog = await this.loadCatalog();
    performance.mark('memlens:catalog');
    const cat = this.catalog;
    document.title = `MemLens · ${cat.title}`;
    this.strip.setTarget(cat.title);
    this.live = !offline && cat.live !== false;
    hooks.live = this.live;
    if (!this.live) this.enterOffline();
    this.findings.setFacts(cat.facts);
    this.store = new SeriesStore(heldSeriesIds(cat.charts), cat.intervalMs > 0 ? cat.intervalMs : 1000);
    const frag = document.createDocumentFragment();
    for (const def of cat.charts) {
      const chart = new Chart(def, this);
      this.charts.push(chart);
      frag.append(chart.card);
    }
    this.grid.append(frag);
    // Actions need a server that can act on a process being watched now.
    const actions = this.live ? (cat.actions ?? []) : [];
    const release = actions.find((a) => a.id === 'release');
    if (release) initRelease(release, (res) => this.onReleased(res));
    const gc = actions.find((a) => a.id === 'gc');
    if (gc) initFullGc(gc, (res) => this.onCollected(res));
    const snapshot = actions.find((a) => a.id === 'snapshot');
    if (snapshot) {
      this.snapshots = new SnapshotPanel(snapshot);
      this.snapshots.start();
    }

    if (report) {
      if (report.status) this.strip.update(report.status);
    } else {
      void api<Status>('api/status').then(
        (s) => this.strip.update(s),
        () => undefined,
      );
    }
    // The preboot's range is relative to now on the browser's clock: right only for a live page.
    const early = this.live && firstRange && Math.abs(this.skewMs) <= MAX_SKEW_MS ? firstRange : null;
    await this.loadRange(early);
    void this.loadFindings();
    if (this.live) {
      this.stream.start();
      // The live view slides: the findings follow it every 30 s (and at once when the range changes).
      const every = findingsRefreshMs(true)!;
      window.setInterval(() => {
        if (document.visibilityState !== 'hidden') void this.loadFindings();
      }, every);
    }
  }

  /** A recording or a report: no live indicator, no pause, presets at the recording's end, an events list. */
  private enterOffline(): void {
    this.strip.setOffline(report || offline ? 'report' : 'recording');
    $('#pause-button').hidden = true;
    this.timeline = new TimelinePanel($('#timeline'));
    $('.empty-note').textContent = 'No samples in this recording.';
    // "All" unless the address asks for another range (memlens open asks for #range=all anyway).
    if (!fragmentParams().has('range')) this.preset = 'all';
    this.updateToolbar();
    if (report) {
      document.documentElement.dataset.report = '1';
      $('.brand').textContent = 'MemLens report';
      const span = `${formatTime(report.from)} – ${formatTime(report.to)} (${formatSpan(Math.max(0, report.to - report.from))})`;
      const meta = $('.report-meta');
      meta.textContent = `Recorded ${span}`;
      meta.hidden = false;
      const cut = eventsCutNote(report);
      const step = report.series.step < 1000 ? `${report.series.step} ms` : formatSpan(report.series.step);
      this.timeline.setNote(cut);
      const footer = $('.report-footer');
      const generated = new Date(report.generatedTs);
      footer.textContent =
        `MemLens report of ${report.catalog.title}, generated ${formatTime(report.generatedTs)} ` +
        `(${generated.toISOString().replace('.000', '')}). Recorded range: ${span}. ` +
        `Charts hold one point per ${step} (with its minimum and maximum as a band); zooming shows the same points closer.` +
        (cut ? ' ' + cut : '');
      footer.hidden = false;
    }
  }

  // ---- catalog and ranges ----

  private async loadCatalog(): Promise<Catalog> {
    let request = firstCatalog;
    for (let delay = 1000; ; delay = Math.min(delay * 2, 15_000)) {
      try {
        const cat = await request;
        this.skewMs = (cat.serverTs || Date.now()) - Date.now();
        this.strip.showProblem(null);
        return cat;
      } catch (e) {
        this.strip.showProblem(`Cannot load the dashboard's catalog (${(e as Error).message}); retrying…`);
        await new Promise((r) => setTimeout(r, delay));
        request = api<Catalog>('api/catalog');
      }
    }
  }

  /**
   * The range of the chosen preset: live, ending now on the server's clock (or at the newest sample); for a
   * recording or a report, ending at its newest sample (a week-old recording's "1 h" is its last hour).
   */
  private presetRange(): View {
    const cat = this.catalog;
    const to = this.live
      ? Math.max(Math.round(Date.now() + this.skewMs), this.liveTs)
      : (report?.to ?? cat.lastTs ?? cat.firstTs ?? Date.now());
    const first = report ? Math.min(report.from, cat.firstTs ?? report.from) : cat.firstTs;
    return presetRange(this.preset, to, first, this.live);
  }

  private windowMs(): number {
    return this.preset === 'all' ? Infinity : PRESET_MS[this.preset];
  }

  /** About the plotting area's width in CSS pixels. */
  private measurePoints(): number {
    let w = 0;
    for (const c of this.charts) if (!c.card.hidden) w = Math.max(w, c.plotWidth());
    return w > 0 ? clampPoints(w) : estimatePoints();
  }

  /**
   * Fetches series and events for the current range (the zoom, else the preset) and replaces what
   * the page holds. Overlapping calls: the newest wins.
   */
  private async loadRange(early: RangeRequest | null = null): Promise<void> {
    const gen = ++this.fetchGen;
    let req = early;
    if (!req) {
      // The oldest sample moves as the store evicts: "All" asks the catalog again.
      if (!this.zoomRange && this.preset === 'all' && this.live) await this.refreshCatalog();
      if (gen !== this.fetchGen) return;
      req = requestRange(this.zoomRange ?? this.presetRange(), this.measurePoints());
    }
    this.points = req.points;
    // The series are the first paint; the events (GC markers, pauses) are drawn when they arrive, so the
    // slower of the two answers is not on the first paint's path.
    req.events.catch(() => undefined); // awaited below; never an unhandled rejection meanwhile
    let series;
    try {
      series = await req.series;
    } catch (e) {
      if (gen === this.fetchGen) this.strip.showProblem(`Cannot load the range (${(e as Error).message}).`);
      return;
    }
    if (gen !== this.fetchGen) return;
    performance.mark('memlens:range');
    if (hooks.seriesBytes == null) hooks.seriesBytes = encodedSize('api/series');

    this.store.load(series);
    this.current = { ...req.range };
    if (!this.zoomRange && !this.paused) {
      // Frames that arrived while the request was under way.
      for (const s of this.recentSamples) if (s.ts > series.to) this.applySample(s);
    }
    this.strip.showProblem(null);
    // The first paint is drawn at once rather than in the next animation frame: the browser
    // presents it with the coming frame either way, and a frame's wait is saved.
    if (this.firstPaint) this.scheduleRedraw();
    else this.frame();

    let events;
    try {
      events = await req.events;
    } catch (e) {
      if (gen === this.fetchGen) this.strip.showProblem(`Cannot load the events (${(e as Error).message}).`);
      return;
    }
    if (gen !== this.fetchGen) return;
    this.events.load(events.events ?? []);
    if (!this.zoomRange && !this.paused) {
      for (const e of this.recentEvents) if (e.ts >= req.range.from) this.events.add(e);
    }
    hooks.eventsLoaded = true;
    this.scheduleRedraw();
    this.renderTimeline();
  }

  // ---- findings and the events list ----

  /** Asks for the findings of the range shown once the range has settled (a preset, a zoom, a reset). */
  private scheduleFindings(): void {
    if (report) return; // a report carries the findings of its whole range, and nothing else
    clearTimeout(this.findingsTimer);
    this.findingsTimer = window.setTimeout(() => void this.loadFindings(), FINDINGS_DEBOUNCE_MS);
  }

  /** The doctor's findings over the range shown; a report shows the ones it carries (its whole range). */
  private async loadFindings(): Promise<void> {
    if (report) {
      const f = report.findings;
      if ('error' in f) this.findings.showError(`The doctor could not judge this recording: ${f.error}`);
      else this.findings.show(f, 'over the whole recording');
      return;
    }
    const gen = ++this.findingsGen;
    const { from, to } = this.current;
    try {
      const r = await api<DoctorReport>(`api/findings?from=${Math.round(from)}&to=${Math.round(to)}`);
      if (gen !== this.findingsGen) return;
      this.findings.show(r, `over the range shown (${formatSpan(Math.max(0, r.to - r.from))})`);
    } catch (e) {
      if (gen !== this.findingsGen) return;
      this.findings.showError(`Cannot load the findings (${(e as Error).message}).`);
    }
  }

  private renderTimeline(): void {
    this.timeline?.render(this.events.all, this.current.from, this.current.to);
  }

  /** The title, oldest sample and clock from the catalog again (the charts stay as they are). */
  private async refreshCatalog(): Promise<void> {
    try {
      const cat = await api<Catalog>('api/catalog');
      this.catalog.firstTs = cat.firstTs;
      this.catalog.title = cat.title;
      this.skewMs = (cat.serverTs || Date.now()) - Date.now();
      this.strip.setTarget(cat.title);
      document.title = `MemLens · ${cat.title}`;
    } catch {
      // keep what we had
    }
  }

  // ---- drawing ----

  private scheduleRedraw(): void {
    if (this.rafPending) return;
    this.rafPending = true;
    requestAnimationFrame(() => this.frame());
  }

  private frame(): void {
    this.rafPending = false;
    // Decide which cards to show, read the grid's column width while the layout is still clean,
    // then show them and create their plots at that width: one layout for all, at paint time.
    const changes = this.charts.map((c) => c.visibilityChange());
    let width = 0;
    if (changes.some((v) => v === true)) {
      const col = parseFloat(getComputedStyle(this.grid).gridTemplateColumns.split(' ')[0]);
      width = Math.floor(col - this.charts[0].cardInset());
    }
    this.charts.forEach((c, i) => {
      const v = changes[i];
      if (v != null && c.setVisible(v)) c.create(width > 0 ? width : c.bodyWidth());
    });
    for (const c of this.charts) c.render();
    if (this.liveTs && this.liveTs !== this.drawnLiveTs) {
      this.drawnLiveTs = this.liveTs;
      hooks.lastSampleTs = this.liveTs;
      // Same clock on both ends when server and browser share a machine (the benchmark's case).
      hooks.sampleToPixelMs = Date.now() - this.liveTs;
    }
    hooks.preset = this.preset;
    hooks.zoomed = this.zoomRange != null;
    hooks.view = { ...this.current };
    hooks.visibleCharts = this.charts.filter((c) => !c.card.hidden).map((c) => c.def.id);
    $('.empty-note').hidden = hooks.visibleCharts.length > 0;
    if (!this.firstPaint) {
      this.firstPaint = true;
      // uPlot draws in a microtask queued by the calls above; this one runs after it, before the
      // frame is presented.
      queueMicrotask(() => {
        hooks.firstPaintMs = performance.now();
        performance.mark('memlens:first-paint');
        document.body.dataset.ready = '1';
      });
    }
  }

  drawn(): void {
    let marked = 0;
    let most = 0;
    let actions = 0;
    for (const c of this.charts) {
      if (c.card.hidden) continue;
      actions = Math.max(actions, c.actionMarkers);
      if (c.releaseMarkers === 0) continue;
      marked++;
      most = Math.max(most, c.releaseMarkers);
    }
    hooks.markedCharts = marked;
    hooks.releaseMarkers = most;
    hooks.actionMarkers = actions;
  }

  // ---- live ----

  private readonly stream = new LiveStream({
    sample: (s) => this.onSample(s),
    event: (e) => this.onEvent(e),
    status: (s) => this.strip.update(s),
    snapshot: (f) => this.snapshots?.onFrame(f),
    dropped: () => {
      if (!this.paused && !this.zoomRange) void this.loadRange();
    },
    open: (again) => {
      this.strip.setConnected(true);
      if (!again) return;
      this.snapshots?.reload();
      // The server may have restarted (another target, another clock): refresh what the catalog
      // says, then fill the gap the disconnection left.
      void this.refreshCatalog().then(() => {
        if (!this.paused && !this.zoomRange) void this.loadRange();
      });
    },
    lost: () => this.strip.setConnected(false),
  });

  private onSample(s: Sample): void {
    if (typeof s?.ts !== 'number' || !s.values) return;
    this.recentSamples.push(s);
    if (this.recentSamples.length > RECENT_MAX) this.recentSamples.splice(0, this.recentSamples.length - RECENT_MAX);
    if (this.paused || this.zoomRange || !this.store) return;
    this.applySample(s);
    this.scheduleRedraw();
  }

  /** Appends a sample, slides the preset's window to it, and keeps the arrays bounded. */
  private applySample(s: Sample): void {
    if (!this.store.append(s)) return;
    this.liveTs = Math.max(this.liveTs, s.ts);
    const to = Math.max(this.current.to, s.ts);
    const w = this.windowMs();
    this.current = { from: w === Infinity ? this.current.from : to - w, to };
    const cap = 2 * this.points + 2;
    if (w === Infinity) {
      // "All" keeps its start: when the live buckets reach twice the points, ask for a coarser step.
      if (this.store.t.length > cap && !this.refetchQueued) {
        this.refetchQueued = true;
        setTimeout(() => {
          this.refetchQueued = false;
          if (!this.zoomRange && !this.paused) void this.loadRange();
        }, 0);
      }
    } else {
      this.store.trim(this.current.from - this.store.step, cap);
      this.events.trim(this.current.from);
    }
  }

  private onEvent(e: MemEvent): void {
    if (typeof e?.ts !== 'number') return;
    this.recentEvents.push(e);
    if (this.recentEvents.length > RECENT_MAX) this.recentEvents.splice(0, this.recentEvents.length - RECENT_MAX);
    if (e.type === 'process.exit') this.strip.setExited(true);
    if (this.paused) return;
    this.addEvent(e);
  }

  private onReleased(r: ReleaseResult): void {
    const e: MemEvent = { ts: r.ts, type: 'action.release', description: r.description, result: r };
    hooks.lastActionResult = r.description;
    this.recentEvents.push(e);
    this.addEvent(e);
  }

  private onCollected(r: InducedGcResult): void {
    const e: MemEvent = { ts: r.ts, type: 'action.gc', description: r.description, result: r };
    hooks.lastActionResult = r.description;
    this.recentEvents.push(e);
    this.addEvent(e);
  }

  /** Adds a live event; following live, the window reaches it (it may be newer than the newest sample). */
  private addEvent(e: MemEvent): void {
    if (!this.events.add(e)) return;
    if (!this.zoomRange && !this.paused && e.ts > this.current.to && e.ts - this.current.to < 60_000) {
      const w = this.windowMs();
      this.current = { from: w === Infinity ? this.current.from : e.ts - w, to: e.ts };
    }
    this.scheduleRedraw();
  }

  // ---- zoom, presets, pause ----

  zoom(from: number, to: number): void {
    if (!(to > from)) return;
    let minSpan = Math.max(2 * (this.catalog.intervalMs || 1000), 2000);
    // A report has no finer data than its own points: a few of them at least.
    if (report) minSpan = Math.max(minSpan, 4 * report.series.step);
    if (to - from < minSpan) {
      const mid = (from + to) / 2;
      from = Math.round(mid - minSpan / 2);
      to = Math.round(mid + minSpan / 2);
    }
    this.zoomRange = { from, to };
    this.current = { from, to };
    this.updateToolbar();
    this.scheduleRedraw(); // at once with the data held, then finer data from the server
    void this.loadRange().then(() => this.scheduleFindings());
  }

  resetZoom(): void {
    if (!this.zoomRange) return;
    this.zoomRange = null;
    this.updateToolbar();
    void this.loadRange().then(() => this.scheduleFindings());
  }

  private choosePreset(p: Preset): void {
    this.preset = p;
    this.zoomRange = null;
    const params = fragmentParams();
    params.set('range', p);
    history.replaceState(null, '', location.pathname + location.search + '#' + params.toString());
    this.updateToolbar();
    if (this.catalog) void this.loadRange().then(() => this.scheduleFindings());
  }

  private setPaused(p: boolean): void {
    this.paused = p;
    this.strip.setPaused(p);
    this.updateToolbar();
    if (!p && this.catalog) void this.loadRange();
  }

  private wireToolbar(): void {
    for (const b of document.querySelectorAll<HTMLButtonElement>('.presets button')) {
      b.addEventListener('click', () => this.choosePreset(b.dataset.range as Preset));
    }
    $('#reset-zoom').addEventListener('click', () => this.resetZoom());
    $('#pause-button').addEventListener('click', () => this.setPaused(!this.paused));
    document.addEventListener('click', (e) => {
      for (const c of this.charts) if (c.isHelpOpen() && !c.containsNode(e.target as Node)) c.toggleHelp(false);
    });
    document.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') for (const c of this.charts) if (c.isHelpOpen()) c.toggleHelp(false);
    });
    this.updateToolbar();
  }

  private updateToolbar(): void {
    for (const b of document.querySelectorAll<HTMLButtonElement>('.presets button')) {
      b.setAttribute('aria-pressed', String(!this.zoomRange && b.dataset.range === this.preset));
    }
    const zoomed = this.zoomRange != null;
    $('#reset-zoom').hidden = !zoomed;
    const info = $('.zoom-info');
    info.hidden = !zoomed;
    if (this.zoomRange) info.textContent = `Zoomed: ${formatTime(this.zoomRange.from)} – ${formatTime(this.zoomRange.to)} · live follow off`;
    const pause = $<HTMLButtonElement>('#pause-button');
    pause.textContent = this.paused ? '▶ Resume' : '❚❚ Pause';
    pause.setAttribute('aria-pressed', String(this.paused));
    pause.setAttribute('aria-label', this.paused ? 'Resume live updates' : 'Pause live updates');
  }
}

void new App().start();

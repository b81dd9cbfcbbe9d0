// Time-series charts with uPlot: drag to zoom (double-click resets), a legend whose entries toggle their series.
import uPlot from "uplot";
import { h, formatNumber } from "./dom.js";

const PALETTE = ["#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#65a30d", "#ea580c", "#4f46e5", "#0d9488", "#9333ea"];
export const MAX_SERIES = 40;

const TIME_TEXT = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)?$/;

/** Seconds since the epoch from an RFC 3339 text (the SQL JSON format has no zone: it is UTC), or NaN. */
export function parseTime(v) {
  if (typeof v !== "string" || !TIME_TEXT.test(v)) return NaN;
  return Date.parse(/Z|[+-]\d\d:\d\d$/.test(v) ? v : v + "Z") / 1000;
}

/**
 * Series from tabular rows: a time column, numeric columns as values, the text columns (tags) telling series apart.
 * Answers null when the result has no time column or nothing numeric to draw.
 */
export function seriesFromTable(result) {
  const { columns, rows } = result;
  const timeIndex = columns.findIndex((c, i) => (c === "time" || c.endsWith("time") || c === "_time") && rows.some((r) => !Number.isNaN(parseTime(r[i]))));
  if (timeIndex < 0) return null;
  const valueIdx = [];
  const keyIdx = [];
  columns.forEach((c, i) => {
    if (i === timeIndex) return;
    const values = rows.map((r) => r[i]).filter((v) => v !== null && v !== undefined);
    if (values.length > 0 && values.every((v) => typeof v === "number")) valueIdx.push(i);
    else if (values.every((v) => typeof v === "string")) keyIdx.push(i);
  });
  if (valueIdx.length === 0) return null;
  const byKey = new Map();
  for (const row of rows) {
    const t = parseTime(row[timeIndex]);
    if (Number.isNaN(t)) continue;
    const tags = keyIdx.filter((i) => row[i] !== null && row[i] !== undefined).map((i) => `${columns[i]}=${row[i]}`).join(", ");
    for (const v of valueIdx) {
      if (typeof row[v] !== "number") continue;
      const label = tags ? `${columns[v]} {${tags}}` : columns[v];
      let s = byKey.get(label);
      if (!s) byKey.set(label, (s = { label, times: [], values: [] }));
      s.times.push(t);
      s.values.push(row[v]);
    }
  }
  return [...byKey.values()];
}

/** Series from a Prometheus matrix. */
export function seriesFromMatrix(matrix) {
  return matrix.map((m) => {
    const { __name__: name, ...labels } = m.metric;
    const text = Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(", ");
    return {
      label: (name ?? "") + (text || !name ? `{${text}}` : ""),
      times: m.values.map((p) => p[0]),
      values: m.values.map((p) => Number(p[1])),
    };
  });
}

const pad = (n) => String(n).padStart(2, "0");

/** A tick label in the browser's time zone, 24-hour, as fine as the visible span needs. */
function tickLabel(t, span) {
  const d = new Date(t * 1000);
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  if (span <= 180) return `${hm}:${pad(d.getSeconds())}`;
  if (span <= 2 * 86400) return hm;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${hm}`;
}

function fullTime(t) {
  const d = new Date(t * 1000);
  const ms = d.getMilliseconds();
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}${ms ? "." + String(ms).padStart(3, "0") : ""}`;
}

/** Aligns the series on one sorted time axis (uPlot's data shape), nulls where a series has no point. */
function align(series) {
  const all = new Set();
  for (const s of series) for (const t of s.times) all.add(t);
  const xs = Float64Array.from(all).sort();
  const index = new Map();
  xs.forEach((t, i) => index.set(t, i));
  const ys = series.map((s) => {
    const y = new Array(xs.length).fill(null);
    s.times.forEach((t, i) => (y[index.get(t)] = Number.isFinite(s.values[i]) ? s.values[i] : null));
    return y;
  });
  return [Array.from(xs), ...ys];
}

/**
 * Draws the series into the container; answers the uPlot instance (or null with a message shown).
 * Options: height, title.
 */
export function drawChart(container, series, { height = 320, compact = false } = {}) {
  container.replaceChildren();
  container._plot?.destroy();
  container._plot = null;
  container.classList.add("chart-host");
  if (!series || series.length === 0) {
    container.append(h("p", { class: "muted empty" }, "Nothing to chart: the result needs a time column and numeric values (or a PromQL range query)."));
    return null;
  }
  let note = null;
  if (series.length > MAX_SERIES) {
    note = h("p", { class: "muted" }, `Showing the first ${MAX_SERIES} of ${series.length} series.`);
    series = series.slice(0, MAX_SERIES);
  }
  const css = getComputedStyle(document.documentElement);
  const axisColor = css.getPropertyValue("--muted").trim() || "#666";
  const gridColor = css.getPropertyValue("--grid").trim() || "#eee";
  const axis = { stroke: axisColor, grid: { stroke: gridColor, width: 1 }, ticks: { stroke: gridColor, width: 1 } };
  const target = h("div", { class: "chart" });
  container.append(target);
  if (note) container.append(note);
  const width = Math.max(200, container.clientWidth || 600);
  const opts = {
    width,
    height,
    cursor: { drag: { x: true, y: false, setScale: true } },
    legend: { show: !compact, live: true },
    scales: { x: { time: true } },
    axes: [{ ...axis, values: (u, ticks) => ticks.map((t) => tickLabel(t, u.scales.x.max - u.scales.x.min)) }, { ...axis, size: 60, values: (_, ticks) => ticks.map((v) => formatNumber(v, 2)) }],
    series: [
      { label: "time", value: (_, t) => (t === null ? "–" : fullTime(t)) },
      ...series.map((s, i) => ({
        label: s.label,
        stroke: PALETTE[i % PALETTE.length],
        width: 1.5,
        spanGaps: false,
        points: { show: s.times.length < 60 },
        value: (_, v) => (v === null ? "–" : formatNumber(v, 3)),
      })),
    ],
  };
  const plot = new uPlot(opts, align(series), target);
  container._plot = plot;
  container._series = series;
  container._options = { height, compact };
  container.dataset.series = String(series.length);
  const resize = new ResizeObserver(() => {
    const w = Math.max(200, container.clientWidth);
    if (Math.abs(w - plot.width) > 2) plot.setSize({ width: w, height });
  });
  resize.observe(container);
  const destroy = plot.destroy.bind(plot);
  plot.destroy = () => {
    resize.disconnect();
    destroy();
  };
  return plot;
}

/** Draws every chart again (after a light/dark switch: axis and grid colours come from the stylesheet). */
export function redrawCharts() {
  for (const container of document.querySelectorAll(".chart-host")) {
    if (container._plot && container._series) drawChart(container, container._series, container._options);
  }
}

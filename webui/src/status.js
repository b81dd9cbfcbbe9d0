// The status page: the server's own /metrics (Prometheus text), scraped every 2 s while shown, as cards with rates,
// two small charts over the time the page is open, and the queries system.queries lists.
import * as api from "./api.js";
import { $, h, show, formatBytes, formatNumber } from "./dom.js";
import { drawChart } from "./chart.js";

const INTERVAL_MS = 2000;
const KEEP = 150; // 5 minutes of samples

/** Samples from the Prometheus text format: [{ name, labels, value }]. */
export function parseMetrics(text) {
  const samples = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels = {};
    for (const l of (m[3] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2].replace(/\\(.)/g, (_, c) => (c === "n" ? "\n" : c));
    samples.push({ name: m[1], labels, value: Number(m[4]) });
  }
  return samples;
}

function sum(samples, name, where = {}) {
  let total = 0;
  let found = false;
  for (const s of samples) {
    if (s.name !== name) continue;
    if (Object.entries(where).some(([k, v]) => s.labels[k] !== v)) continue;
    total += s.value;
    found = true;
  }
  // A counter that never moved is not exported yet: it is 0. (Gauges are always there.)
  return found ? total : 0;
}

let timer = null;
let previous = null;
let history = [];
let getDb = () => "";

export function initStatus(dbGetter) {
  getDb = dbGetter;
}

export function startStatus() {
  stopStatus();
  tick();
  timer = setInterval(tick, INTERVAL_MS);
}

export function stopStatus() {
  clearInterval(timer);
  timer = null;
}

async function tick() {
  let text;
  try {
    text = await api.metrics();
    show($("status-error"), false);
  } catch (e) {
    $("status-error").textContent = `Could not read /metrics: ${e.message}`;
    show($("status-error"), true);
    return;
  }
  const now = Date.now() / 1000;
  const s = parseMetrics(text);
  const v = {
    t: now,
    lines: sum(s, "tsdb_write_lines_total"),
    requests: sum(s, "tsdb_write_requests_total"),
    rejected: sum(s, "tsdb_write_rejected_lines_total"),
    bytesIn: sum(s, "tsdb_write_request_bytes_total"),
    buffer: sum(s, "tsdb_buffer_size_bytes"),
    bufferLimit: sum(s, "tsdb_buffer_limit_bytes"),
    bufferRows: sum(s, "tsdb_buffer_rows"),
    persistOk: sum(s, "tsdb_storage_runs_total", { job: "persist", outcome: "ok" }),
    persistErr: sum(s, "tsdb_storage_runs_total", { job: "persist", outcome: "error" }),
    persistRows: sum(s, "tsdb_persist_rows_total"),
    persistFiles: sum(s, "tsdb_persist_files_total"),
    persistTime: sum(s, "tsdb_storage_run_duration_seconds_sum", { job: "persist" }) / sum(s, "tsdb_storage_run_duration_seconds_count", { job: "persist" }),
    compactOk: sum(s, "tsdb_storage_runs_total", { job: "compaction", outcome: "ok" }),
    compactErr: sum(s, "tsdb_storage_runs_total", { job: "compaction", outcome: "error" }),
    storeOps: sum(s, "tsdb_object_store_operations_total"),
    storeErrors: sum(s, "tsdb_object_store_errors_total"),
    storeRead: sum(s, "tsdb_object_store_transferred_bytes_total", { direction: "read" }),
    storeWrite: sum(s, "tsdb_object_store_transferred_bytes_total", { direction: "write" }),
    running: sum(s, "tsdb_queries_running"),
    queries: sum(s, "tsdb_queries_total"),
    queryErrors: sum(s, "tsdb_queries_total", { status: "server_error" }) || 0,
    walFailures: sum(s, "tsdb_wal_failures_total"),
    databases: sum(s, "tsdb_catalog_databases"),
    tables: sum(s, "tsdb_catalog_tables"),
    files: sum(s, "tsdb_catalog_files"),
    filesBytes: sum(s, "tsdb_catalog_files_size_bytes"),
    rss: sum(s, "process_resident_memory_bytes"),
    cpu: sum(s, "process_cpu_seconds_total"),
    started: sum(s, "process_start_time_seconds"),
    version: s.find((x) => x.name === "tsdb_build_info")?.labels.version,
  };
  const rate = (key) => {
    if (!previous || !(v.t > previous.t)) return NaN;
    const d = (v[key] || 0) - (previous[key] || 0);
    return d < 0 ? NaN : d / (v.t - previous.t);
  };
  const r = { lines: rate("lines"), requests: rate("requests"), rejected: rate("rejected"), storeOps: rate("storeOps"), queries: rate("queries"), cpu: rate("cpu") };
  previous = v;
  history.push({ t: now, lines: r.lines, buffer: v.buffer, rows: v.bufferRows });
  if (history.length > KEEP) history = history.slice(-KEEP);
  renderCards(v, r);
  renderCharts();
  $("status-info").textContent = `tsdb ${v.version ?? ""} · up ${uptime(now - v.started)} · updated ${new Date().toLocaleTimeString()}`;
  renderQueries();
}

function uptime(seconds) {
  if (!Number.isFinite(seconds)) return "–";
  const d = Math.floor(seconds / 86400);
  const hh = Math.floor((seconds % 86400) / 3600);
  const mm = Math.floor((seconds % 3600) / 60);
  return d > 0 ? `${d}d ${hh}h` : hh > 0 ? `${hh}h ${mm}m` : `${mm}m ${Math.floor(seconds % 60)}s`;
}

function card(title, main, lines, { bad = false, meter } = {}) {
  return h("section", { class: "card stat" + (bad ? " bad" : "") },
    h("h2", null, title),
    h("p", { class: "big" }, main),
    meter !== undefined ? h("div", { class: "meter", role: "meter", "aria-valuemin": "0", "aria-valuemax": "100", "aria-valuenow": String(Math.round(meter * 100)), "aria-label": title }, h("span", { style: `width:${Math.min(100, meter * 100).toFixed(1)}%` })) : null,
    h("ul", null, lines.map(([k, x]) => h("li", null, h("span", { class: "muted" }, k), " ", h("span", null, x)))));
}

const plural = (n, word) => `${formatNumber(n)} ${word}${n === 1 ? "" : "s"}`;

function renderCards(v, r) {
  const fill = v.buffer / v.bufferLimit;
  $("status-cards").replaceChildren(
    card("Writes", `${formatNumber(r.lines)} lines/s`, [
      ["requests/s", formatNumber(r.requests)],
      ["rejected lines/s", formatNumber(r.rejected)],
      ["lines since start", formatNumber(v.lines, 2)],
      ["WAL failures", formatNumber(v.walFailures || 0)],
    ], { bad: v.walFailures > 0 }),
    card("Write buffer", formatBytes(v.buffer), [
      ["of limit", `${formatBytes(v.bufferLimit)} (${Number.isFinite(fill) ? (fill * 100).toFixed(1) : "–"} %)`],
      ["rows not yet persisted", formatNumber(v.bufferRows, 2)],
    ], { meter: Number.isFinite(fill) ? fill : 0, bad: fill > 0.8 }),
    card("Persist", plural(v.persistOk, "run"), [
      ["failed runs", formatNumber(v.persistErr || 0)],
      ["rows persisted", formatNumber(v.persistRows, 2)],
      ["files written", formatNumber(v.persistFiles)],
      ["mean run", Number.isFinite(v.persistTime) ? `${(v.persistTime * 1000).toFixed(1)} ms` : "–"],
    ], { bad: v.persistErr > 0 }),
    card("Compaction", plural(v.compactOk, "run"), [
      ["failed runs", formatNumber(v.compactErr || 0)],
      ["Parquet files", `${formatNumber(v.files)} · ${formatBytes(v.filesBytes)}`],
    ], { bad: v.compactErr > 0 }),
    card("Object store", plural(v.storeErrors, "error"), [
      ["operations/s", formatNumber(r.storeOps)],
      ["read", formatBytes(v.storeRead)],
      ["written", formatBytes(v.storeWrite)],
    ], { bad: v.storeErrors > 0 }),
    card("Queries", `${formatNumber(v.running || 0)} running`, [
      ["queries/s", formatNumber(r.queries)],
      ["since start", formatNumber(v.queries)],
      ["server errors", formatNumber(v.queryErrors)],
    ], { bad: v.queryErrors > 0 }),
    card("Catalog", plural(v.databases, "database"), [["tables", formatNumber(v.tables)]]),
    card("Process", formatBytes(v.rss), [["CPU", Number.isFinite(r.cpu) ? `${(r.cpu * 100).toFixed(0)} %` : "–"], ["resident memory", formatBytes(v.rss)]]),
  );
}

function renderCharts() {
  const points = history.filter((p) => Number.isFinite(p.lines));
  const writes = $("chart-writes");
  const buffer = $("chart-buffer");
  if (points.length < 2) return;
  const opts = { height: 160, compact: true };
  if (!writes._plot) drawChart(writes, [{ label: "lines/s", times: points.map((p) => p.t), values: points.map((p) => p.lines) }], opts);
  else writes._plot.setData([points.map((p) => p.t), points.map((p) => p.lines)]);
  if (!buffer._plot) drawChart(buffer, [{ label: "buffer bytes", times: points.map((p) => p.t), values: points.map((p) => p.buffer) }], opts);
  else buffer._plot.setData([points.map((p) => p.t), points.map((p) => p.buffer)]);
}

async function renderQueries() {
  const target = $("status-queries");
  const db = getDb();
  if (!db) {
    target.replaceChildren(h("p", { class: "muted" }, "Pick a database to list its queries (system.queries)."));
    return;
  }
  try {
    const own = "SELECT id, issue_time, query_type, query_text, running, success, end2end_duration_ms FROM system.queries ORDER BY id DESC LIMIT 21";
    const rows = (await api.sql(db, own)).filter((q) => q.query_text !== own).slice(0, 20);
    const running = rows.filter((q) => q.running);
    target.replaceChildren(
      h("p", { class: "muted" }, `${running.length} running · the last ${rows.length} queries (system.queries)`),
      h("div", { class: "table-scroll" }, h("table", { class: "grid" },
        h("thead", null, h("tr", null, ["id", "started", "language", "state", "ms", "query"].map((c) => h("th", { scope: "col", class: c === "ms" || c === "id" ? "n" : null }, c)))),
        h("tbody", null, rows.map((q) => h("tr", null,
          h("td", { class: "n" }, q.id), h("td", { title: q.issue_time }, String(q.issue_time ?? "").slice(11, 19)), h("td", null, q.query_type),
          h("td", null, h("span", { class: "kind " + (q.running ? "running" : q.success ? "ok" : "failed") }, q.running ? "running" : q.success ? "ok" : "failed")),
          h("td", { class: "n" }, Number.isFinite(q.end2end_duration_ms) ? q.end2end_duration_ms.toFixed(1) : ""),
          h("td", { class: "path" }, h("code", null, q.query_text))))))));
  } catch (e) {
    target.replaceChildren(h("p", { class: "error" }, e.message));
  }
}

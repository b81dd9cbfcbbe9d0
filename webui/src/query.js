// The query page: editor, languages, history, running, and the result views (table, chart, plan).
import * as api from "./api.js";
import { $, h, show } from "./dom.js";
import { renderTable } from "./table.js";
import { drawChart, seriesFromTable, seriesFromMatrix } from "./chart.js";
import { isPlan, renderPlan } from "./plan.js";
import { attachHighlighter } from "./highlight.js";

const HISTORY_KEY = "tsdb.history";
const DRAFT_KEY = "tsdb.draft.";
const MAX_HISTORY = 50;
const MAX_ROWS = 100_000;
const EXAMPLES = {
  sql: "SHOW TABLES",
  influxql: "SHOW MEASUREMENTS",
  promql: "up",
};

let controller = null;
let current = null; // { result, series, plan }
let getDb = () => "";
let refreshHighlight = () => {};

export function initQuery(dbGetter) {
  getDb = dbGetter;
  const editor = $("editor");
  const lang = $("lang");
  lang.value = localStorage.getItem("tsdb.lang") ?? "sql";
  editor.value = localStorage.getItem(DRAFT_KEY + lang.value) ?? EXAMPLES[lang.value];
  refreshHighlight = attachHighlighter(editor, $("editor-highlight"), () => lang.value);
  lang.addEventListener("change", () => {
    localStorage.setItem("tsdb.lang", lang.value);
    editor.value = localStorage.getItem(DRAFT_KEY + lang.value) ?? EXAMPLES[lang.value];
    languageChanged();
  });
  editor.addEventListener("input", () => {
    localStorage.setItem(DRAFT_KEY + lang.value, editor.value);
    editor.removeAttribute("aria-invalid");
  });
  editor.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      run();
    }
  });
  $("run").addEventListener("click", run);
  // Abandoning the request ends the query on the server too (it stops when its client goes away).
  $("cancel").addEventListener("click", () => {
    controller?.abort();
    $("query-info").textContent = "cancelled";
  });
  $("range").addEventListener("change", () => show($("custom-range"), $("range").value === "custom"));
  $("prom-mode").addEventListener("change", () => {
    const range = $("prom-mode").value === "range";
    for (const id of ["range", "step"]) $(id).closest("label").hidden = !range;
    show($("custom-range"), range && $("range").value === "custom");
  });
  $("history").addEventListener("change", () => {
    const entry = history()[Number($("history").value)];
    if (entry) {
      lang.value = entry.lang;
      languageChanged();
      editor.value = entry.q;
      refreshHighlight();
      localStorage.setItem(DRAFT_KEY + entry.lang, entry.q);
      editor.focus();
    }
    $("history").value = "";
  });
  for (const tab of ["table", "chart", "plan"]) $("tab-" + tab).addEventListener("click", () => selectTab(tab));
  $("results").querySelector("[role=tablist]").addEventListener("keydown", (e) => {
    if (e.key !== "ArrowRight" && e.key !== "ArrowLeft") return;
    const tabs = [...e.currentTarget.querySelectorAll("[role=tab]:not([hidden])")];
    const i = tabs.indexOf(document.activeElement);
    const next = tabs[(i + (e.key === "ArrowRight" ? 1 : tabs.length - 1)) % tabs.length];
    next.focus();
    next.click();
  });
  const now = new Date();
  $("to").value = localInput(now);
  $("from").value = localInput(new Date(now.getTime() - 3600_000));
  languageChanged();
  renderHistory();
}

/** Puts a query in the editor (from the schema browser) and shows the query page. */
export function setQuery(language, text) {
  $("lang").value = language;
  languageChanged();
  $("editor").value = text;
  refreshHighlight();
  localStorage.setItem(DRAFT_KEY + language, text);
}

function languageChanged() {
  refreshHighlight();
  show($("prom-opts"), $("lang").value === "promql");
}

function localInput(d) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

function history() {
  try {
    return JSON.parse(localStorage.getItem(HISTORY_KEY) ?? "[]");
  } catch {
    return [];
  }
}

function remember(lang, q) {
  const list = history().filter((e) => !(e.lang === lang && e.q === q));
  list.unshift({ lang, q, at: Date.now() });
  localStorage.setItem(HISTORY_KEY, JSON.stringify(list.slice(0, MAX_HISTORY)));
  renderHistory();
}

function renderHistory() {
  const names = { sql: "SQL", influxql: "InfluxQL", promql: "PromQL" };
  $("history").replaceChildren(
    h("option", { value: "" }, history().length ? `${history().length} recent` : "—"),
    ...history().map((e, i) => h("option", { value: String(i), title: e.q }, `${names[e.lang] ?? e.lang}: ${e.q.replace(/\s+/g, " ").slice(0, 70)}`)),
  );
}

function parseDuration(text) {
  const t = text.trim();
  if (t === "") return null;
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t);
  const units = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
  let total = 0;
  const re = /(\d+)(ms|s|m|h|d|w)/gy;
  let m;
  let at = 0;
  while ((m = re.exec(t))) {
    total += Number(m[1]) * units[m[2]];
    at = re.lastIndex;
  }
  if (at !== t.length || total <= 0) throw new Error(`step '${t}' is not a duration (like 15s, 1m, 1h30m) or a number of seconds`);
  return total;
}

function promParams(q) {
  if ($("prom-mode").value === "instant") return { query: q, time: String(Date.now() / 1000) };
  let start;
  let end;
  if ($("range").value === "custom") {
    start = new Date($("from").value).getTime() / 1000;
    end = new Date($("to").value).getTime() / 1000;
    if (!Number.isFinite(start) || !Number.isFinite(end) || end <= start) throw new Error("the custom range needs a From before its To");
  } else {
    end = Math.floor(Date.now() / 1000);
    start = end - Number($("range").value);
  }
  const step = parseDuration($("step").value) ?? Math.max(1, Math.ceil((end - start) / 300));
  return { query: q, start: String(start), end: String(end), step: String(step) };
}

/** Rows of objects (nulls left out) as columns in first-seen order and arrays of values. */
function tabulate(objects) {
  const columns = [];
  const seen = new Set();
  for (const o of objects) for (const k of Object.keys(o)) if (!seen.has(k)) seen.add(k), columns.push(k);
  const truncated = objects.length > MAX_ROWS;
  const rows = (truncated ? objects.slice(0, MAX_ROWS) : objects).map((o) => columns.map((c) => o[c] ?? null));
  return { columns, rows, truncated };
}

function promTable(data) {
  const iso = (t) => new Date(t * 1000).toISOString();
  const name = (m) => {
    const { __name__: n, ...labels } = m;
    return (n ?? "") + "{" + Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(", ") + "}";
  };
  switch (data.resultType) {
    case "matrix":
      return { columns: ["series", "time", "value"], rows: data.result.flatMap((s) => s.values.map(([t, v]) => [name(s.metric), iso(t), Number(v)])) };
    case "vector":
      return { columns: ["series", "time", "value"], rows: data.result.map((s) => [name(s.metric), iso(s.value[0]), Number(s.value[1])]) };
    default:
      return { columns: ["time", "value"], rows: [[iso(data.result[0]), data.resultType === "string" ? data.result[1] : Number(data.result[1])]] };
  }
}

export async function run() {
  const lang = $("lang").value;
  const q = $("editor").value.trim();
  const db = getDb();
  if (q === "") return;
  controller?.abort();
  controller = new AbortController();
  const signal = controller.signal;
  const info = $("query-info");
  show($("query-error"), false);
  $("editor").removeAttribute("aria-invalid");
  $("run").disabled = true;
  show($("cancel"), true);
  info.textContent = "running…";
  const started = performance.now();
  remember(lang, q);
  try {
    if (!db) throw new Error("pick a database first (none is visible to this token yet: write some data)");
    let result;
    let series = null;
    if (lang === "promql") {
      const json = await api.promql(db, promParams(q), signal);
      result = promTable(json.data);
      if (json.data.resultType === "matrix") series = seriesFromMatrix(json.data.result);
      if (json.warnings?.length) info.dataset.warnings = json.warnings.join("; ");
    } else {
      result = tabulate(lang === "sql" ? await api.sql(db, q, signal) : await api.influxql(db, q, signal));
      series = seriesFromTable(result);
    }
    const ms = performance.now() - started;
    info.textContent = `${result.rows.length.toLocaleString()} row${result.rows.length === 1 ? "" : "s"} in ${ms < 1000 ? ms.toFixed(0) + " ms" : (ms / 1000).toFixed(2) + " s"}`
      + (series ? ` · ${series.length} series` : "");
    showResult(result, series);
  } catch (e) {
    if (e.name === "AbortError") {
      show($("results"), false);
      return;
    }
    info.textContent = "";
    // The previous result stays out of sight: under an error it would look like this query's answer.
    show($("results"), false);
    showError(e.message, q);
  } finally {
    if (signal === controller.signal) {
      $("run").disabled = false;
      show($("cancel"), false);
    }
  }
}

function showResult(result, series) {
  const plan = isPlan(result);
  current = { result, series, plan };
  show($("results"), true);
  $("tab-plan").hidden = !plan;
  renderTable($("pane-table"), result);
  if (plan) renderPlan($("pane-plan"), result);
  selectTab(plan ? "plan" : series && series.length > 0 && $("lang").value === "promql" ? "chart" : series && series.length > 0 && lastTab === "chart" ? "chart" : "table", true);
}

let lastTab = "table";

function selectTab(name, automatic = false) {
  if (!automatic) lastTab = name;
  for (const tab of ["table", "chart", "plan"]) {
    const selected = tab === name;
    $("tab-" + tab).setAttribute("aria-selected", String(selected));
    $("tab-" + tab).tabIndex = selected ? 0 : -1;
    show($("pane-" + tab), selected);
  }
  // uPlot needs a visible container to measure; draw when the chart is first shown for this result.
  if (name === "chart" && current && !current.drawn) {
    current.drawn = true;
    drawChart($("pane-chart"), current.series);
  }
}

/**
 * Errors with a position: SQL "line L, column C: …", InfluxQL "… at line L, char C", PromQL "L:C: …".
 * Answers the 0-based offset into the text, or -1.
 */
export function errorOffset(message, text) {
  const m = /line (\d+), column (\d+)/.exec(message) ?? /at line (\d+), char (\d+)/.exec(message) ?? /^(\d+):(\d+):/.exec(message);
  if (!m) return -1;
  const lines = text.split("\n");
  const line = Number(m[1]) - 1;
  if (line < 0 || line >= lines.length) return -1;
  let offset = 0;
  for (let i = 0; i < line; i++) offset += lines[i].length + 1;
  return offset + Math.min(Math.max(0, Number(m[2]) - 1), lines[line].length);
}

function showError(message, text) {
  const box = $("query-error");
  const offset = errorOffset(message, text);
  const children = [h("strong", null, "Error: "), message];
  if (offset >= 0) {
    const lineStart = text.lastIndexOf("\n", offset - 1) + 1;
    const lineEnd = text.indexOf("\n", offset);
    const line = text.slice(lineStart, lineEnd < 0 ? text.length : lineEnd);
    const col = offset - lineStart;
    children.push(h("pre", { class: "caret", "aria-hidden": "true" }, line + "\n" + " ".repeat(col) + "^"));
    const editor = $("editor");
    editor.value = text;
    refreshHighlight();
    editor.setAttribute("aria-invalid", "true");
    editor.focus();
    const word = /^[^\s,()]*/.exec(text.slice(offset))[0].length || 1;
    editor.setSelectionRange(offset, Math.min(text.length, offset + word));
    box.dataset.offset = String(offset);
  } else {
    delete box.dataset.offset;
  }
  box.replaceChildren(...children);
  show(box, true);
}

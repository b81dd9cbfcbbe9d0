// Results as a paged table, with copy and download as CSV (all rows, not only the page shown).
import { h, copyText } from "./dom.js";

const PAGE = 100;

export function csv(result) {
  const cell = (v) => {
    if (v === null || v === undefined) return "";
    const s = typeof v === "object" ? JSON.stringify(v) : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  const lines = [result.columns.map(cell).join(",")];
  for (const row of result.rows) lines.push(row.map(cell).join(","));
  return lines.join("\n") + "\n";
}

export function renderTable(container, result) {
  let page = 0;
  const pages = Math.max(1, Math.ceil(result.rows.length / PAGE));
  const status = h("span", { class: "muted", "aria-live": "polite" });
  const prev = h("button", { type: "button", class: "ghost", "aria-label": "Previous page", onclick: () => go(page - 1) }, "‹ Prev");
  const next = h("button", { type: "button", class: "ghost", "aria-label": "Next page", onclick: () => go(page + 1) }, "Next ›");
  const copied = h("span", { class: "muted", "aria-live": "polite" });
  const copy = h("button", {
    type: "button", class: "ghost", id: "copy-csv",
    onclick: async () => {
      await copyText(csv(result));
      copied.textContent = "copied";
      setTimeout(() => (copied.textContent = ""), 1500);
    },
  }, "Copy as CSV");
  const download = h("button", {
    type: "button", class: "ghost",
    onclick: () => {
      const url = URL.createObjectURL(new Blob([csv(result)], { type: "text/csv" }));
      h("a", { href: url, download: "result.csv" }).click();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    },
  }, "Download CSV");
  const numeric = result.columns.map((_, c) => result.rows.some((r) => typeof r[c] === "number") && result.rows.every((r) => r[c] === null || r[c] === undefined || typeof r[c] === "number"));
  const thead = h("thead", null, h("tr", null, result.columns.map((c, i) => h("th", { scope: "col", class: numeric[i] ? "n" : null }, c))));
  const tbody = h("tbody");
  const table = h("table", { class: "grid", id: "result-table" }, thead, tbody);

  function go(p) {
    page = Math.min(Math.max(0, p), pages - 1);
    const start = page * PAGE;
    const rows = result.rows.slice(start, start + PAGE);
    tbody.replaceChildren(...rows.map((row) => h("tr", null, row.map((v, i) => h("td", { class: numeric[i] ? "n" : null }, show(v))))));
    const n = result.rows.length;
    status.textContent = n === 0 ? "no rows" : `rows ${start + 1}–${start + rows.length} of ${n}${result.truncated ? " (truncated)" : ""}`;
    prev.disabled = page === 0;
    next.disabled = page >= pages - 1;
  }

  go(0);
  container.replaceChildren(
    h("div", { class: "table-bar" }, prev, next, status, h("span", { class: "spacer" }), copied, copy, download),
    h("div", { class: "table-scroll", tabindex: "0", role: "region", "aria-label": "Result rows" }, table),
  );
}

function show(v) {
  if (v === null || v === undefined) return h("span", { class: "null" }, "null");
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

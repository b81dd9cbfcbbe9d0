// The schema browser: tables of the database with their tags, fields (and types), row counts and Parquet files,
// read through SQL (information_schema.columns, count(*), system.parquet_files) as any client could.
import * as api from "./api.js";
import { $, h, formatBytes } from "./dom.js";

const ident = (name) => '"' + name.replaceAll('"', '""') + '"';
const literal = (text) => "'" + text.replaceAll("'", "''") + "'";

const FIELD_TYPES = { Float64: "float", Int64: "integer", UInt64: "unsigned", Utf8: "string", Boolean: "boolean" };

export function columnKind(column) {
  if (column.column_name === "time" && column.data_type.startsWith("Timestamp")) return "time";
  if (column.data_type.startsWith("Dictionary(")) return "tag";
  return "field";
}

let onQuery = () => {};
let loaded = null;

export function initSchema(queryHandler) {
  onQuery = queryHandler;
}

export async function loadSchema(db, selected) {
  const list = $("schema-tables");
  const detail = $("schema-detail");
  if (!db) {
    list.replaceChildren();
    detail.replaceChildren(h("p", { class: "muted" }, "No database yet: write some data, or sign in with a token that can read one."));
    return;
  }
  if (loaded?.db !== db) {
    list.replaceChildren(h("p", { class: "muted" }, "loading…"));
    try {
      const columns = await api.sql(db, "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'iox' ORDER BY table_name, ordinal_position");
      const tables = new Map();
      for (const c of columns) {
        if (!tables.has(c.table_name)) tables.set(c.table_name, []);
        tables.get(c.table_name).push(c);
      }
      loaded = { db, tables };
    } catch (e) {
      list.replaceChildren();
      detail.replaceChildren(h("p", { class: "error", role: "alert" }, e.message));
      return;
    }
  }
  const names = [...loaded.tables.keys()];
  const pick = selected && loaded.tables.has(selected) ? selected : names[0];
  list.replaceChildren(
    h("h2", null, `Tables (${names.length})`),
    h("ul", null, names.map((name) => {
      const cols = loaded.tables.get(name);
      const tags = cols.filter((c) => columnKind(c) === "tag").length;
      return h("li", null, h("button", {
        type: "button", class: "table-link", "aria-current": name === pick ? "true" : null,
        onclick: () => loadSchema(db, name),
      }, h("span", null, name), h("span", { class: "muted small" }, `${tags} tags · ${cols.length - tags - 1} fields`)));
    })),
  );
  if (!pick) {
    detail.replaceChildren(h("p", { class: "muted" }, `Database ${db} has no tables yet.`));
    return;
  }
  await showTable(db, pick);
}

async function showTable(db, table) {
  const detail = $("schema-detail");
  const cols = loaded.tables.get(table);
  const rowCount = h("span", { class: "muted" }, "counting…");
  const files = h("div", null, h("p", { class: "muted" }, "loading…"));
  detail.replaceChildren(
    h("div", { class: "detail-head" },
      h("h2", null, table),
      rowCount,
      h("span", { class: "spacer" }),
      h("button", { type: "button", onclick: () => onQuery("sql", `SELECT *\nFROM ${ident(table)}\nWHERE time >= now() - interval '1 hour'\nORDER BY time DESC\nLIMIT 100`) }, "Query in SQL")),
    h("h3", null, "Columns"),
    h("div", { class: "table-scroll" }, h("table", { class: "grid" },
      h("thead", null, h("tr", null, h("th", { scope: "col" }, "name"), h("th", { scope: "col" }, "kind"), h("th", { scope: "col" }, "type"))),
      h("tbody", null, cols.map((c) => {
        const kind = columnKind(c);
        return h("tr", null, h("td", null, c.column_name), h("td", null, h("span", { class: "kind " + kind }, kind)),
          h("td", { title: c.data_type }, kind === "field" ? FIELD_TYPES[c.data_type] ?? c.data_type : c.data_type));
      })))),
    h("h3", null, "Parquet files"),
    files,
  );
  api.sql(db, `SELECT count(*) AS n FROM ${ident(table)}`)
    .then((r) => (rowCount.textContent = `${Number(r[0]?.n ?? 0).toLocaleString()} rows`))
    .catch((e) => (rowCount.textContent = "rows: " + e.message));
  try {
    const list = await api.sql(db, `SELECT partition, path, row_count, size_bytes, min_time, max_time FROM system.parquet_files WHERE table_name = ${literal(table)} ORDER BY partition, path`);
    if (list.length === 0) {
      files.replaceChildren(h("p", { class: "muted" }, "None yet: every row is still in the write buffer (persisted after --persist-age, or with POST /api/v3/persist)."));
      return;
    }
    const ns = (v) => new Date(Number(v) / 1e6).toISOString().replace(".000Z", "Z");
    const total = list.reduce((a, f) => a + Number(f.size_bytes), 0);
    files.replaceChildren(
      h("p", { class: "muted" }, `${list.length} file${list.length === 1 ? "" : "s"}, ${formatBytes(total)}`),
      h("div", { class: "table-scroll" }, h("table", { class: "grid" },
        h("thead", null, h("tr", null, ["partition", "rows", "size", "from", "to", "path"].map((c) => h("th", { scope: "col", class: c === "rows" || c === "size" ? "n" : null }, c)))),
        h("tbody", null, list.map((f) => h("tr", null,
          h("td", null, f.partition), h("td", { class: "n" }, Number(f.row_count).toLocaleString()), h("td", { class: "n" }, formatBytes(Number(f.size_bytes))),
          h("td", null, ns(f.min_time)), h("td", null, ns(f.max_time)), h("td", { class: "path" }, h("code", null, f.path))))))));
  } catch (e) {
    files.replaceChildren(h("p", { class: "error" }, e.message));
  }
}

export function forgetSchema() {
  loaded = null;
}

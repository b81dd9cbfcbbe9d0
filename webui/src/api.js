// The server's HTTP API as the UI uses it. The token lives in sessionStorage only: it is gone when the tab closes.
const TOKEN_KEY = "tsdb.token";

export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value) {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}

// Paths are relative to the page, so the UI also works behind a reverse proxy under a prefix.
export async function request(path, { method = "GET", query, body, signal, accept } = {}) {
  const url = new URL(path, document.baseURI);
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null && v !== "") url.searchParams.set(k, v);
  const headers = {};
  const t = token();
  if (t) headers.Authorization = "Bearer " + t;
  if (accept) headers.Accept = accept;
  let payload;
  if (body instanceof URLSearchParams) {
    payload = body;
  } else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  const response = await fetch(url, { method, headers, body: payload, signal, cache: "no-store" });
  const text = await response.text();
  if (!response.ok) throw new ApiError(errorMessage(text, response), response.status);
  return text;
}

export async function requestJson(path, options) {
  const text = await request(path, options);
  return text.trim() === "" ? null : JSON.parse(text);
}

// Every dialect's error shape: v3 {"error"}, Prometheus {"status":"error","error"}, v2 {"message"}, InfluxQL {"results":[{"error"}]}.
function errorMessage(text, response) {
  try {
    const json = JSON.parse(text);
    const message = json.error ?? json.message ?? json.results?.find((r) => r.error)?.error;
    if (typeof message === "string") return message;
  } catch {
    // not JSON: the text itself
  }
  return text.trim() || `${response.status} ${response.statusText}`;
}

export async function listDatabases() {
  const list = (await requestJson("api/v3/configure/database")) ?? [];
  return list.map((d) => d["iox::database"]).filter(Boolean).sort();
}

export async function sql(db, q, signal) {
  return (await requestJson("api/v3/query_sql", { method: "POST", body: { db, q, format: "json" }, signal })) ?? [];
}

export async function influxql(db, q, signal) {
  return (await requestJson("api/v3/query_influxql", { method: "POST", body: { db, q, format: "json" }, signal })) ?? [];
}

export async function promql(db, params, signal) {
  const path = params.end !== undefined && params.start !== undefined ? "api/v1/query_range" : "api/v1/query";
  const form = new URLSearchParams({ db, ...params });
  const json = await requestJson(path, { method: "POST", body: form, signal });
  if (json.status !== "success") throw new ApiError(json.error ?? "query failed", 400);
  return json;
}

export function metrics(signal) {
  return request("metrics", { signal, accept: "text/plain; version=0.0.4" });
}

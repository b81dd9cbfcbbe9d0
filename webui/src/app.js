// The tsdb web UI: sign-in, database picker, and three pages (query, schema, status) switched by the URL's hash.
import * as api from "./api.js";
import { $, h, show } from "./dom.js";
import { initQuery, setQuery } from "./query.js";
import { initSchema, loadSchema, forgetSchema } from "./schema.js";
import { initStatus, startStatus, stopStatus } from "./status.js";
import { redrawCharts } from "./chart.js";

const DB_KEY = "tsdb.db";
const VIEWS = ["query", "schema", "status"];

function currentDb() {
  return $("db").value;
}

async function loadDatabases() {
  const names = await api.listDatabases();
  const wanted = localStorage.getItem(DB_KEY);
  const select = $("db");
  select.replaceChildren(...names.map((n) => h("option", { value: n }, n)));
  if (names.length === 0) select.append(h("option", { value: "" }, "(none)"));
  select.value = names.includes(wanted) ? wanted : names[0] ?? "";
}

function route() {
  const name = location.hash.replace(/^#\/?/, "");
  const view = VIEWS.includes(name) ? name : "query";
  for (const v of VIEWS) show($("view-" + v), v === view);
  for (const link of document.querySelectorAll("#nav a")) {
    if (link.dataset.view === view) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  if (view === "status") startStatus();
  else stopStatus();
  if (view === "schema") loadSchema(currentDb());
  document.title = `tsdb · ${view[0].toUpperCase()}${view.slice(1)}`;
}

function signedIn(yes) {
  document.body.classList.toggle("signed-in", yes);
  show($("view-signin"), !yes);
  show($("nav"), yes);
  show($("db-box"), yes);
  show($("signout"), yes && api.token() !== null);
  if (yes) route();
  else {
    stopStatus();
    for (const v of VIEWS) show($("view-" + v), false);
    $("token").focus();
  }
}

async function start() {
  initQuery(currentDb);
  initSchema((lang, text) => {
    setQuery(lang, text);
    location.hash = "#/query";
  });
  initStatus(currentDb);
  $("db").addEventListener("change", () => {
    localStorage.setItem(DB_KEY, currentDb());
    forgetSchema();
    if (location.hash === "#/schema") loadSchema(currentDb());
  });
  matchMedia("(prefers-color-scheme: dark)").addEventListener("change", redrawCharts);
  window.addEventListener("hashchange", () => document.body.classList.contains("signed-in") && route());
  $("signin-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const error = $("signin-error");
    show(error, false);
    api.setToken($("token").value.trim());
    try {
      await loadDatabases();
      $("token").value = "";
      signedIn(true);
    } catch (err) {
      api.setToken(null);
      error.textContent = err.status === 401 ? "That token was not accepted." : `Sign-in failed: ${err.message}`;
      show(error, true);
    }
  });
  $("signout").addEventListener("click", () => {
    api.setToken(null);
    forgetSchema();
    signedIn(false);
  });
  // A token from earlier in this tab, or a server without auth: straight in.
  try {
    await loadDatabases();
    signedIn(true);
  } catch (err) {
    if (err.status !== 401 && err.status !== 403) {
      $("signin-error").textContent = `The server did not answer: ${err.message}`;
      show($("signin-error"), true);
    }
    api.setToken(null);
    signedIn(false);
  }
}

start();

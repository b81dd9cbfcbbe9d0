// Drives the web UI in Debian's headless Chromium (puppeteer-core): sign in, a SQL and a PromQL query over data the
// caller wrote, an error with its position, EXPLAIN ANALYZE, the schema and status pages, axe-core's accessibility
// rules, at 1280×800 and 390×844.
// Prints one JSON object of what it saw; WebUiTests (tests/Tsdb.EndToEnd.Tests) asserts on it. Screenshots go to --out.
//   node test/browser-test.mjs --url http://127.0.0.1:PORT/ --token apiv3_… --db DB --out DIR [--chromium /usr/bin/chromium]
import puppeteer from "puppeteer-core";
import { createRequire } from "node:module";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

const args = Object.fromEntries(process.argv.slice(2).reduce((a, v, i, all) => (v.startsWith("--") ? [...a, [v.slice(2), all[i + 1]]] : a), []));
const out = args.out;
await mkdir(out, { recursive: true });
const profile = await mkdtemp(path.join(tmpdir(), "tsdb-webui-chromium-"));
const facts = { consoleErrors: [], screenshots: [] };

const browser = await puppeteer.launch({
  executablePath: args.chromium ?? "/usr/bin/chromium",
  headless: true,
  userDataDir: profile,
  // The machine's network is closed: without these Chromium keeps trying to reach Google's services.
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--font-render-hinting=none"],
});
const page = await browser.newPage();
page.setDefaultTimeout(30_000);
page.on("console", (m) => m.type() === "error" && facts.consoleErrors.push(m.text()));
page.on("pageerror", (e) => facts.consoleErrors.push(String(e)));

async function shot(name) {
  const file = path.join(out, name + ".png");
  await page.screenshot({ path: file, fullPage: true });
  facts.screenshots.push(file);
}

// axe-core's accessibility rules (WCAG 2.x A and AA) on the page as it is now: the violations, by rule.
const axeSource = await readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
async function accessibility(name) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }));
  facts.accessibility[name] = result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
}
facts.accessibility = {};

const overflow = () => page.evaluate(() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - document.documentElement.clientWidth);

async function runQuery(lang, text) {
  await page.select("#lang", lang);
  await page.$eval("#editor", (el, t) => { el.value = t; el.dispatchEvent(new Event("input")); }, text);
  await page.$eval("#query-info", (el) => (el.textContent = ""));
  await page.focus("#editor");
  await page.keyboard.down("Control");
  await page.keyboard.press("Enter");
  await page.keyboard.up("Control");
  await page.waitForFunction(() => {
    const info = document.getElementById("query-info").textContent;
    return (info !== "" && info !== "running…") || !document.getElementById("query-error").hidden;
  });
}

/** What the chart drew: uPlot's series (besides x), legend entries, and canvas pixels in the series' colours. */
const chartFacts = () => page.evaluate(() => {
  const pane = document.getElementById("pane-chart");
  const canvas = pane.querySelector("canvas");
  let colored = 0;
  if (canvas) {
    const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 0; i < data.length; i += 4) {
      const [r, g, b, a] = [data[i], data[i + 1], data[i + 2], data[i + 3]];
      if (a > 100 && Math.max(r, g, b) - Math.min(r, g, b) > 80) colored++;
    }
  }
  return {
    series: pane._plot ? pane._plot.series.length - 1 : 0,
    legend: [...pane.querySelectorAll(".u-legend .u-series")].slice(1).map((e) => e.textContent.trim()),
    coloredPixels: colored,
  };
});

const tableFacts = () => page.evaluate(() => ({
  info: document.getElementById("query-info").textContent,
  columns: [...document.querySelectorAll("#result-table thead th")].map((e) => e.textContent),
  pageRows: document.querySelectorAll("#result-table tbody tr").length,
  firstRow: [...(document.querySelector("#result-table tbody tr")?.children ?? [])].map((e) => e.textContent),
  pager: document.querySelector(".table-bar .muted")?.textContent,
}));

try {
  await page.setViewport({ width: 1280, height: 800 });
  const origin = new URL(args.url).origin;
  await browser.defaultBrowserContext().overridePermissions(origin, ["clipboard-read", "clipboard-write", "clipboard-sanitized-write"]);
  await page.goto(args.url, { waitUntil: "networkidle0" });
  await page.waitForSelector("#token", { visible: true });
  facts.signinShown = true;
  facts.overflow = { signin: await overflow() };
  await shot("1280-signin");
  await accessibility("signin");

  // A wrong token first: refused, still on the sign-in page.
  await page.type("#token", "apiv3_wrong");
  await page.click("#signin-form button[type=submit]");
  await page.waitForSelector("#signin-error", { visible: true });
  facts.wrongTokenMessage = await page.$eval("#signin-error", (e) => e.textContent);
  await page.$eval("#token", (e) => (e.value = ""));
  await page.type("#token", args.token);
  await page.click("#signin-form button[type=submit]");
  await page.waitForSelector("#nav", { visible: true });
  facts.tokenInSessionStorage = await page.evaluate((t) => sessionStorage.getItem("tsdb.token") === t, args.token);
  facts.tokenInLocalStorage = await page.evaluate((t) => Object.values(localStorage).some((v) => v.includes(t)), args.token);
  facts.databases = await page.$$eval("#db option", (o) => o.map((x) => x.value));
  await page.select("#db", args.db);

  // SQL: rows in the table, one series per host in the chart.
  await runQuery("sql", "SELECT time, host, usage FROM cpu ORDER BY host, time");
  facts.sql = await tableFacts();
  await page.click("#tab-chart");
  await page.waitForSelector("#pane-chart canvas");
  facts.sqlChart = await chartFacts();
  await page.click("#tab-table");
  await page.click("#copy-csv");
  facts.csvHead = (await page.evaluate(() => navigator.clipboard.readText()).catch((e) => "clipboard: " + e.message)).split("\n").slice(0, 2);
  await page.click("#tab-chart");
  await shot("1280-query-sql");
  await accessibility("query");

  // Highlighting: typed text (real key events) is drawn coloured under the textarea, token by token, and the copy lays
  // out exactly as the textarea does (same height with a line long enough to wrap).
  facts.highlight = {};
  const long = "x".repeat(40) + " + y".repeat(250);
  for (const [lang, text] of [
    ["sql", "SELECT date_bin('5 minutes', time) AS t, avg(usage) -- per host\nFROM cpu WHERE host = 'h0' AND usage > 0.5 GROUP BY 1"],
    ["influxql", "SELECT mean(\"usage\") FROM cpu WHERE host =~ /h[01]/ AND time > now() - 1h GROUP BY time(5m) fill(none)"],
    ["promql", "sum by (host) (rate(cpu_usage{host=~\"h.*\"}[5m])) # per host"],
    ["sql", "SELECT " + long],
  ]) {
    await page.select("#lang", lang);
    await page.$eval("#editor", (el) => { el.value = ""; el.dispatchEvent(new Event("input")); });
    await page.type("#editor", text, { delay: 0 });
    facts.highlight[lang + (text.startsWith("SELECT x") ? "-wrapped" : "")] = await page.evaluate(() => {
      const editor = document.getElementById("editor");
      const layer = document.getElementById("editor-highlight");
      return {
        mirrors: layer.textContent === editor.value + "\n",
        tokens: [...layer.querySelectorAll("span")].map((s) => s.className.slice(4) + ":" + s.textContent),
        textareaHeight: editor.scrollHeight,
        layerHeight: layer.scrollHeight,
        textTransparent: getComputedStyle(editor).color === "rgba(0, 0, 0, 0)",
        scrolled: editor.scrollTop,
        layerScrolled: layer.scrollTop,
      };
    });
    if (lang === "promql") await shot("1280-query-highlight");
  }

  // PromQL range query over the same rows: the chart shows first.
  await runQuery("promql", "cpu_usage");
  await page.waitForSelector("#pane-chart canvas", { visible: true });
  facts.promql = await tableFacts();
  facts.promqlChart = await chartFacts();
  facts.promqlTabSelected = await page.$eval("#tab-chart", (e) => e.getAttribute("aria-selected"));
  // Zoom: a drag across the plot narrows the x scale.
  const over = await page.$("#pane-chart .u-over");
  const box = await over.boundingBox();
  const before = await page.evaluate(() => { const p = document.getElementById("pane-chart")._plot; return p.scales.x.max - p.scales.x.min; });
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  const after = await page.evaluate(() => { const p = document.getElementById("pane-chart")._plot; return p.scales.x.max - p.scales.x.min; });
  facts.zoomRatio = after / before;
  await shot("1280-query-promql");
  // Dark colour scheme: the page follows it and the chart is drawn again in its colours.
  await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: "dark" }]);
  await page.waitForFunction(() => getComputedStyle(document.body).backgroundColor !== "rgb(247, 248, 250)");
  await new Promise((r) => setTimeout(r, 300));
  facts.darkChart = await chartFacts();
  await shot("1280-query-promql-dark");
  await accessibility("query-dark");
  await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: "light" }]);

  // An error with a position: the message, a caret under the column, the text selected in the editor.
  await runQuery("sql", "SELECT time,\n  nope FROM cpu");
  facts.sqlError = await page.evaluate(() => ({
    message: document.getElementById("query-error").textContent,
    offset: document.getElementById("query-error").dataset.offset,
    selection: (() => { const e = document.getElementById("editor"); return e.value.slice(e.selectionStart, e.selectionEnd); })(),
  }));
  await shot("1280-query-error");
  await runQuery("promql", "rate(cpu_usage[5m]");
  facts.promqlError = await page.evaluate(() => ({ message: document.getElementById("query-error").textContent, offset: document.getElementById("query-error").dataset.offset }));

  // EXPLAIN ANALYZE as a tree.
  await runQuery("sql", "EXPLAIN ANALYZE SELECT host, avg(usage) FROM cpu GROUP BY host");
  await page.waitForSelector("#pane-plan ul.plan", { visible: true });
  facts.plan = await page.evaluate(() => ({
    sections: [...document.querySelectorAll("#pane-plan h3")].map((e) => e.textContent),
    operators: [...document.querySelectorAll("#pane-plan .op > strong")].map((e) => e.textContent),
    nested: document.querySelectorAll("#pane-plan ul.plan ul .op").length,
  }));
  await shot("1280-query-explain");
  await accessibility("explain");
  facts.overflow.query = await overflow();

  // History: the queries run above, newest first.
  facts.history = await page.$$eval("#history option", (o) => o.slice(1).map((x) => x.textContent));

  // Schema.
  await page.goto(args.url + "#/schema");
  await page.waitForSelector("#schema-detail .detail-head h2");
  await page.waitForFunction(() => !/counting/.test(document.querySelector("#schema-detail .detail-head .muted")?.textContent ?? "counting"));
  await page.waitForFunction(() => !/loading/.test(document.getElementById("schema-detail").textContent));
  facts.schema = await page.evaluate(() => ({
    tables: [...document.querySelectorAll(".table-link > span:first-child")].map((e) => e.textContent),
    columns: [...document.querySelectorAll("#schema-detail table.grid")[0].querySelectorAll("tbody tr")].map((r) => [...r.children].map((c) => c.textContent).join(" ")),
    rows: document.querySelector("#schema-detail .detail-head .muted").textContent,
    files: document.querySelectorAll("#schema-detail table.grid")[1]?.querySelectorAll("tbody tr").length ?? 0,
  }));
  facts.overflow.schema = await overflow();
  await shot("1280-schema");
  await accessibility("schema");

  // Status.
  await page.goto(args.url + "#/status");
  await page.waitForSelector("#status-cards .stat");
  await page.waitForSelector("#chart-writes canvas", { timeout: 15_000 });
  await page.waitForSelector("#status-queries table");
  facts.status = await page.evaluate(() => Object.fromEntries([...document.querySelectorAll("#status-cards .stat")].map((c) => [c.querySelector("h2").textContent, c.querySelector(".big").textContent])));
  facts.overflow.status = await overflow();
  await shot("1280-status");
  await accessibility("status");

  // Phone-sized: no horizontal overflow on any page.
  await page.setViewport({ width: 390, height: 844, isMobile: true, hasTouch: true });
  facts.mobileOverflow = {};
  for (const view of ["query", "schema", "status"]) {
    await page.goto(args.url + "#/" + view);
    await page.waitForSelector(`#view-${view}:not([hidden])`);
    if (view === "query") {
      await runQuery("promql", "cpu_usage");
      await page.waitForSelector("#pane-chart canvas", { visible: true });
    }
    if (view === "schema") await page.waitForSelector("#schema-detail .detail-head h2");
    if (view === "status") await page.waitForSelector("#chart-writes canvas", { timeout: 15_000 });
    await new Promise((r) => setTimeout(r, 300));
    facts.mobileOverflow[view] = await overflow();
    await shot("390-" + view);
  }
  await page.goto(args.url + "#/query");
  await page.click("#signout");
  await page.waitForSelector("#token", { visible: true });
  facts.signedOutToken = await page.evaluate(() => sessionStorage.getItem("tsdb.token"));
  facts.mobileOverflow.signin = await overflow();
  await shot("390-signin");
} catch (e) {
  facts.failure = String(e.stack ?? e);
  await shot("failure").catch(() => {});
} finally {
  await browser.close();
  await rm(profile, { recursive: true, force: true });
}
console.log(JSON.stringify(facts, null, 1));
process.exit(facts.failure ? 1 : 0);

// Checks the editor's tokenizers without a browser: the tokens of any text put together are exactly the text (so the
// highlighted copy under the textarea can never drift from it), and known queries are split into the expected kinds.
// Prints "ok" or the failures and exits 1; WebUiTests runs it.
//   node test/highlight-test.mjs
import { tokenize } from "../src/highlight.js";

const failures = [];
const expect = (language, text, wanted) => {
  const got = tokenize(language, text).filter(([kind]) => kind !== "space" && kind !== "ident").map(([k, v]) => `${k}:${v}`);
  if (JSON.stringify(got) !== JSON.stringify(wanted)) failures.push(`${language} ${JSON.stringify(text)}\n  got    ${JSON.stringify(got)}\n  wanted ${JSON.stringify(wanted)}`);
};

expect("sql", "SELECT date_bin('5 minutes', time) AS t, avg(usage) -- per host\nFROM cpu WHERE host = 'it''s' AND usage > 0.5e1",
  ["keyword:SELECT", "function:date_bin", "punct:(", "string:'5 minutes'", "punct:,", "punct:)", "keyword:AS", "punct:,", "function:avg",
    "punct:(", "punct:)", "comment:-- per host", "keyword:FROM", "keyword:WHERE", "operator:=", "string:'it''s'", "keyword:AND",
    "operator:>", "number:0.5e1"]);
expect("sql", `SELECT "count" /* block\ncomment */ FROM "my table" WHERE x::text <> 'a'`,
  ["keyword:SELECT", 'quoted:"count"', "comment:/* block\ncomment */", "keyword:FROM", 'quoted:"my table"', "keyword:WHERE",
    "operator:::", "operator:<>", "string:'a'"]);
// A column named like a function is not a function unless called.
expect("sql", "SELECT count, count(*) FROM t", ["keyword:SELECT", "punct:,", "function:count", "punct:(", "operator:*", "punct:)", "keyword:FROM"]);
expect("influxql", `SELECT mean("usage") FROM cpu WHERE host =~ /h[01]\\/x/ AND time > now() - 1h30m GROUP BY time(5m) fill(none)`,
  ["keyword:SELECT", "function:mean", "punct:(", 'quoted:"usage"', "punct:)", "keyword:FROM", "keyword:WHERE", "operator:=~",
    "regex:/h[01]\\/x/", "keyword:AND", "keyword:time", "operator:>", "function:now", "punct:(", "punct:)", "operator:-",
    "duration:1h30m", "keyword:GROUP", "keyword:BY", "keyword:time", "punct:(", "duration:5m", "punct:)", "keyword:fill", "punct:(",
    "keyword:none", "punct:)"]);
// A regex measurement after FROM, and division elsewhere stays an operator.
expect("influxql", "SELECT a / 2 FROM /^cpu/", ["keyword:SELECT", "operator:/", "number:2", "keyword:FROM", "regex:/^cpu/"]);
expect("promql", `sum by (host) (rate(cpu_usage{host=~"h.*"}[5m])) # per host`,
  ["function:sum", "keyword:by", "punct:(", "label:host", "punct:)", "punct:(", "function:rate", "punct:(", "metric:cpu_usage", "punct:{",
    "label:host", "operator:=~", 'string:"h.*"', "punct:}", "punct:[", "duration:5m", "punct:]", "punct:)", "punct:)", "comment:# per host"]);
expect("promql", "sum(rate(x[1m])) without (a, b) / on(c) group_left(d) y offset 5m > bool 0x1F",
  ["function:sum", "punct:(", "function:rate", "punct:(", "metric:x", "punct:[", "duration:1m", "punct:]", "punct:)", "punct:)",
    "keyword:without", "punct:(", "label:a", "punct:,", "label:b", "punct:)", "operator:/", "keyword:on", "punct:(", "label:c", "punct:)",
    "keyword:group_left", "punct:(", "label:d", "punct:)", "metric:y", "keyword:offset", "duration:5m", "operator:>", "keyword:bool",
    "number:0x1F"]);
// Unterminated strings and comments run to the end instead of failing.
expect("sql", "SELECT 'abc", ["keyword:SELECT", "string:'abc"]);
expect("promql", 'up{job="a', ["metric:up", "punct:{", "label:job", "operator:=", 'string:"a']);

// Random texts over each language's alphabet: the tokens always join back to the text.
let seed = 42;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const alphabet = "ab_1 \n\t'\"`/\\*-#{}[]()=~!<>:.,;+^%@µé5mhs";
for (const language of ["sql", "influxql", "promql"]) {
  for (let i = 0; i < 3000; i++) {
    let text = "";
    const length = Math.floor(random() * 40);
    for (let j = 0; j < length; j++) text += alphabet[Math.floor(random() * alphabet.length)];
    const joined = tokenize(language, text).map(([, v]) => v).join("");
    if (joined !== text) {
      failures.push(`${language}: tokens of ${JSON.stringify(text)} join to ${JSON.stringify(joined)}`);
      break;
    }
  }
}

if (failures.length > 0) {
  console.error(failures.join("\n"));
  process.exit(1);
}
console.log("ok");

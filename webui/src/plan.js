// EXPLAIN / EXPLAIN ANALYZE answers (rows of plan_type and an indented plan text) as collapsible trees.
import { h } from "./dom.js";

export function isPlan(result) {
  return result.columns.length === 2 && result.columns[0] === "plan_type" && result.columns[1] === "plan";
}

/** Nodes from the indented text: [{ text, children }], two spaces a level as the engine prints it. */
export function parsePlan(text) {
  const root = { children: [], depth: -1 };
  const stack = [root];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const depth = line.length - line.trimStart().length;
    const node = { text: line.trim(), children: [], depth };
    while (stack.length > 1 && stack[stack.length - 1].depth >= depth) stack.pop();
    stack[stack.length - 1].children.push(node);
    stack.push(node);
  }
  return root.children;
}

function renderNode(node) {
  const m = /^([A-Za-z][\w]*)(?::\s*(.*))?$/.exec(node.text);
  const name = m ? m[1] : node.text;
  let rest = m?.[2] ?? "";
  let metrics = [];
  const at = rest.indexOf("metrics=[");
  if (at >= 0) {
    const end = rest.lastIndexOf("]");
    metrics = rest.slice(at + 9, end).split(/,\s*/).filter(Boolean);
    rest = rest.slice(0, at).replace(/,\s*$/, "");
  }
  const label = h("span", { class: "op" },
    h("strong", null, name), rest ? h("span", { class: "args" }, " " + rest) : null,
    metrics.length ? h("span", { class: "metrics" }, metrics.map((x) => h("span", { class: "chip" }, x))) : null);
  if (node.children.length === 0) return h("li", { role: "treeitem" }, h("div", { class: "leaf" }, label));
  return h("li", { role: "treeitem", "aria-expanded": "true" },
    h("details", { open: true }, h("summary", null, label), h("ul", { role: "group" }, node.children.map(renderNode))));
}

export function renderPlan(container, result) {
  container.replaceChildren(...result.rows.map(([type, text]) => {
    const nodes = parsePlan(String(text ?? ""));
    const body = nodes.length === 1 && nodes[0].children.length === 0 && !/^[A-Z]\w*(Exec)?:/.test(nodes[0].text)
      ? h("p", { class: "plan-summary" }, nodes[0].text)
      : h("ul", { class: "plan", role: "tree", "aria-label": type }, nodes.map(renderNode));
    return h("section", { class: "plan-block" }, h("h3", null, type), body);
  }));
}

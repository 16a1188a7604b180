"""`entra-aws access --html FILE`: one self-contained page (data and code inline, nothing fetched) with an
accounts x groups heatmap, a search box, a per-person view and, optionally, the pending plan.

Names are attacker-controlled (anyone who can name an Entra group names a column here): the data travels as JSON
inside a non-executable `<script type="application/json">` with `<`, `>` and `&` escaped, the page's own code
only ever sets `textContent`, and a Content-Security-Policy allows no fetch and no script but the page's own (by
its hash). The page reads `#q=TEXT` (the search) and `#user=NAME` (the person shown) from its address. It draws
what matches, at most 300 accounts and 2,000 access paths at a time (a 2,001 x 500 heatmap is a million cells):
the search narrows the rest.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from dataclasses import dataclass
from typing import Any

from entra_aws.engine.access import AccessReport

_SCRIPT = r"""
"use strict";
const data = JSON.parse(document.getElementById("data").textContent);
const LIMIT = {accounts: 300, paths: 2000};
const el = (tag, text, cls) => {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (cls) node.className = cls;
  return node;
};
const key = (account, group) => account + "\u0000" + group;
const cells = new Map();
const words = new Map(data.accounts.map(([id, name]) => [id, [id, name]]));
for (const [group, account, set, privileged] of data.grants) {
  if (!cells.has(key(account, group))) cells.set(key(account, group), []);
  cells.get(key(account, group)).push([set, privileged]);
  if (words.has(account)) words.get(account).push(group, set);
}
for (const [id, list] of words) words.set(id, list.join(" ").toLowerCase());
const pathWords = data.rows.map((r) => [r[0], r[2], r[3], r[4], r[5]].join(" ").toLowerCase());
const people = new Set(data.rows.map((r) => r[0]));

function note(id, shown, matching, total, noun) {
  let text = matching < total ? `${matching} of ${total} ${noun} match` : `${total} ${noun}`;
  if (shown < matching) text = `showing ${shown} of ${matching}${matching < total ? " matching" : ""} ${noun}`;
  if (shown < matching) text += ": search to narrow";
  document.getElementById(id).textContent = text;
}
function heatmap(query) {
  const matching = data.accounts.filter(([id]) => words.get(id).includes(query));
  const shown = matching.slice(0, LIMIT.accounts);
  const groups = data.groups.filter((g) => shown.some(([id]) => cells.has(key(id, g))));
  const table = document.getElementById("heatmap");
  const head = el("tr");
  head.append(el("th", "account"));
  for (const group of groups) head.append(el("th", group, "group"));
  const rows = [head];
  for (const [id, name] of shown) {
    const row = el("tr", undefined, "account");
    row.dataset.account = id;
    row.append(el("th", id + " " + name));
    for (const group of groups) {
      const sets = cells.get(key(id, group)) || [];
      const cell = el("td", undefined, "cell");
      cell.dataset.count = String(sets.length);
      if (sets.some(([, privileged]) => privileged)) cell.classList.add("privileged");
      for (const [set, privileged] of sets) {
        cell.append(el("span", privileged ? set + " !" : set, privileged ? "set privileged" : "set"));
      }
      cell.title = group + " on " + name;
      row.append(cell);
    }
    rows.push(row);
  }
  table.replaceChildren(...rows);
  note("heatmap-note", shown.length, matching.length, data.accounts.length, "accounts");
}
function paths(query, person) {
  const matching = data.rows.filter((r, i) => (person === "" || r[0] === person) && pathWords[i].includes(query));
  const shown = matching.slice(0, LIMIT.paths);
  const byUser = new Map();
  for (const r of shown) {
    if (!byUser.has(r[0])) byUser.set(r[0], []);
    byUser.get(r[0]).push(r);
  }
  const sections = [];
  for (const [user, rows] of byUser) {
    const section = el("section", undefined, "person");
    section.dataset.user = user;
    section.append(el("h3", user + " (" + rows[0][1] + ")"));
    const table = el("table");
    const head = el("tr");
    for (const title of ["via", "account", "permission set", "privileged"]) head.append(el("th", title));
    table.append(head);
    for (const [, , via, accountId, accountName, set, privileged] of rows) {
      const row = el("tr", undefined, "access" + (privileged ? " privileged" : ""));
      const texts = [via, accountId + " " + accountName, set, privileged ? "yes" : "no"];
      for (const text of texts) row.append(el("td", text));
      table.append(row);
    }
    section.append(table);
    sections.push(section);
  }
  document.getElementById("people").replaceChildren(...sections);
  note("people-note", shown.length, matching.length, data.rows.length, "access paths");
}
function plan() {
  if (data.plan === null) return;
  const box = document.getElementById("plan");
  box.hidden = false;
  const list = el("ul");
  for (const line of data.plan) list.append(el("li", line.trim()));
  box.append(list);
}
function render() {
  const query = document.getElementById("search").value.trim().toLowerCase();
  const person = document.getElementById("person").value;
  heatmap(query);
  paths(query, person);
}
function fromAddress() {
  const params = new URLSearchParams(location.hash.slice(1));
  document.getElementById("search").value = params.get("q") || "";
  const person = params.get("user") || "";
  document.getElementById("person").value = people.has(person) ? person : "";
  render();
}
const picker = document.getElementById("person");
for (const user of people) picker.append(el("option", user));
plan();
document.getElementById("search").addEventListener("input", render);
picker.addEventListener("change", render);
window.addEventListener("hashchange", fromAddress);
fromAddress();
"""

_STYLE = """
body { font: 14px system-ui, sans-serif; margin: 1.5em; color: #1b1f24; }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 1.6em; }
table { border-collapse: collapse; } th, td { border: 1px solid #d0d7de; padding: 3px 6px; vertical-align: top; }
th.group { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; }
td.cell[data-count="0"] { background: #f6f8fa; }
td.cell { background: #9be9a8; min-width: 1.5em; } td.cell.privileged { background: #ff8182; }
span.set { display: block; white-space: nowrap; } span.set.privileged { font-weight: bold; }
tr.access.privileged td { background: #ffebe9; }
#search { font-size: 1em; padding: 4px; width: 24em; }
.legend span { padding: 2px 8px; margin-right: 8px; }
"""


@dataclass(frozen=True)
class Page:
    title: str
    generated: str
    """When the data was read, as people read it (e.g. an ISO timestamp)."""


def _json_for_html(value: Any) -> str:
    """JSON that cannot end its <script> element or open a comment: `<`, `>` and `&` as \\u escapes."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _data(report: AccessReport, plan: list[str] | None) -> dict[str, Any]:
    groups = sorted({g.group for g in report.grants})
    return {
        "accounts": sorted(report.accounts.items()),
        "groups": groups,
        "grants": [[g.group, g.account_id, g.permission_set, g.privileged] for g in report.grants],
        "rows": [
            [r.user, r.user_id, r.via, r.account_id, r.account_name, r.permission_set, r.privileged]
            for r in report.rows
        ],
        "plan": plan,
    }


def script_hash(script: str = _SCRIPT) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()


def render_html(report: AccessReport, page: Page, plan: list[str] | None = None) -> str:
    """The whole page. `plan`: the pending plan's lines, shown in its own section (None: no plan section)."""
    policy = f"default-src 'none'; script-src '{script_hash()}'; style-src 'unsafe-inline'; base-uri 'none'"
    title = html.escape(page.title)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{policy}">
<title>{title}</title>
<style>{_STYLE}</style>
</head>
<body>
<h1>{title}</h1>
<p>Read {html.escape(page.generated)}: {len(report.rows)} access paths, {len(report.accounts)} accounts.</p>
<p><label>Search <input id="search" type="search" placeholder="account, group, user, permission set"></label>
<label>Person <select id="person"><option value="">everyone</option></select></label></p>
<p class="legend"><span style="background:#9be9a8">granted</span>
<span style="background:#ff8182">privileged (marked !)</span></p>
<h2>Accounts x groups</h2>
<p id="heatmap-note"></p>
<table id="heatmap"></table>
<h2>People</h2>
<p id="people-note"></p>
<div id="people"></div>
<section id="plan" hidden><h2>Pending plan</h2></section>
<script type="application/json" id="data">{_json_for_html(_data(report, plan))}</script>
<script>{_SCRIPT}</script>
</body>
</html>
"""

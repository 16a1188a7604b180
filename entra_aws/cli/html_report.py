"""`entra-aws access --html FILE`: one self-contained page (data and code inline, nothing fetched) with an
accounts x groups heatmap, a search box, a per-person view and, optionally, the pending plan.

Names are attacker-controlled (anyone who can name an Entra group names a column here): the data travels as JSON
inside a non-executable `<script type="application/json">` with `<`, `>` and `&` escaped, the page's own code
only ever sets `textContent`, and a Content-Security-Policy allows no fetch and no script but the page's own (by
its hash). The page reads `#q=TEXT` (the search) and `#user=NAME` (the person shown) from its address.
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
const el = (tag, text, cls) => {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (cls) node.className = cls;
  return node;
};
const cells = new Map();
for (const [group, account, set, privileged] of data.grants) {
  const key = account + "\u0000" + group;
  if (!cells.has(key)) cells.set(key, []);
  cells.get(key).push([set, privileged]);
}
function heatmap() {
  const table = document.getElementById("heatmap");
  const head = el("tr");
  head.append(el("th", "account"));
  for (const group of data.groups) head.append(el("th", group, "group"));
  table.append(head);
  for (const [id, name] of data.accounts) {
    const row = el("tr", undefined, "account");
    const words = [id, name];
    row.append(el("th", id + " " + name));
    for (const group of data.groups) {
      const sets = cells.get(id + "\u0000" + group) || [];
      const cell = el("td", undefined, "cell");
      cell.dataset.count = String(sets.length);
      if (sets.some(([, privileged]) => privileged)) cell.classList.add("privileged");
      for (const [set, privileged] of sets) {
        cell.append(el("span", privileged ? set + " !" : set, privileged ? "set privileged" : "set"));
        words.push(group, set);
      }
      cell.title = group + " on " + name;
      row.append(cell);
    }
    row.dataset.search = words.join(" ").toLowerCase();
    table.append(row);
  }
}
function people() {
  const box = document.getElementById("people");
  const picker = document.getElementById("person");
  const byUser = new Map();
  for (const r of data.rows) {
    if (!byUser.has(r[0])) byUser.set(r[0], []);
    byUser.get(r[0]).push(r);
  }
  for (const [user, rows] of byUser) {
    picker.append(el("option", user));
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
      row.dataset.search = [user, via, accountId, accountName, set].join(" ").toLowerCase();
      table.append(row);
    }
    section.append(table);
    box.append(section);
  }
}
function plan() {
  if (data.plan === null) return;
  const box = document.getElementById("plan");
  box.hidden = false;
  const list = el("ul");
  for (const line of data.plan) list.append(el("li", line.trim()));
  box.append(list);
}
function apply() {
  const query = document.getElementById("search").value.trim().toLowerCase();
  const person = document.getElementById("person").value;
  for (const row of document.querySelectorAll("tr.account, tr.access")) {
    row.hidden = query !== "" && !row.dataset.search.includes(query);
  }
  for (const section of document.querySelectorAll("section.person")) {
    section.hidden = person !== "" && section.dataset.user !== person;
  }
}
function fromAddress() {
  const params = new URLSearchParams(location.hash.slice(1));
  document.getElementById("search").value = params.get("q") || "";
  document.getElementById("person").value = params.get("user") || "";
  apply();
}
heatmap();
people();
plan();
document.getElementById("search").addEventListener("input", apply);
document.getElementById("person").addEventListener("change", apply);
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
<table id="heatmap"></table>
<h2>People</h2>
<div id="people"></div>
<section id="plan" hidden><h2>Pending plan</h2></section>
<script type="application/json" id="data">{_json_for_html(_data(report, plan))}</script>
<script>{_SCRIPT}</script>
</body>
</html>
"""

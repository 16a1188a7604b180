"""`entra-aws access` output: the CSV's columns, the HTML page's escaping and self-containment, bad options."""

from __future__ import annotations

import base64
import hashlib
import json
import re

import pytest

from entra_aws.cli.access_command import csv_text, run
from entra_aws.cli.html_report import Page, render_html
from entra_aws.engine.access import AccessReport, AccessRow, GroupGrant

HOSTILE = "</script><script>alert(1)</script><!--"
ROWS = [
    AccessRow("ann@example.com", "u-1", f"group {HOSTILE}", "111111111111", "prod", "AdministratorAccess", True),
    AccessRow('ben,"the" <b>', "u-2", "direct", "222222222222", "dev & test", "ReadOnly", False),
]
GRANTS = [GroupGrant(HOSTILE, "111111111111", "AdministratorAccess", True)]
REPORT = AccessReport(ROWS, GRANTS, {"111111111111": "prod", "222222222222": "dev & test"})


def test_csv_has_the_header_and_one_quoted_row_per_path() -> None:
    lines = csv_text(ROWS).splitlines()
    assert lines[0] == "user,user_id,via,account_id,account_name,permission_set,privileged"
    assert lines[2] == '"ben,""the"" <b>",u-2,direct,222222222222,dev & test,ReadOnly,false'
    assert lines[1].endswith(",111111111111,prod,AdministratorAccess,true")


def scripts(page: str) -> list[str]:
    return re.findall(r"<script[^>]*>(.*?)</script>", page, flags=re.DOTALL)


def test_names_travel_as_inert_json_and_the_only_script_allowed_is_the_pages_own() -> None:
    page = render_html(REPORT, Page("<title>", "now"), plan=[f"  + create assignment group {HOSTILE}"])
    data, code = scripts(page)
    assert page.count("<script") == 2 and "<!--" not in page and "alert(1)</script>" not in page
    decoded = json.loads(data)
    assert decoded["groups"] == [HOSTILE] and decoded["plan"] == [f"  + create assignment group {HOSTILE}"]
    assert decoded["rows"][1][0] == 'ben,"the" <b>'
    digest = base64.b64encode(hashlib.sha256(code.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in page and "default-src 'none'" in page
    assert "innerHTML" not in code and "<title>&lt;title&gt;</title>" in page


def test_the_page_fetches_nothing() -> None:
    page = render_html(REPORT, Page("access", "now"))
    assert not re.search(r"https?:|\bsrc=|\bhref=|@import|url\(", page)
    assert json.loads(scripts(page)[0])["plan"] is None


def test_with_plan_needs_html(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("access", ["--config", "config/example.yaml", "--with-plan"]) == 2
    assert capsys.readouterr().err == "entra-aws access: --with-plan needs --html FILE (see entra-aws access --help)\n"


def test_an_unknown_format_is_refused_with_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        run("access", ["--config", "config/example.yaml", "--format", "xml"])
    assert exit_.value.code == 2 and "invalid choice: 'xml'" in capsys.readouterr().err

"""`entra-aws access --html` rendered by a real headless Chromium (Debian's `chromium` package) over the example
organization, applied, plus groups whose names are markup: a screenshot that is not blank and shows the heatmap's
colours, the heatmap's cells in the DOM after the page's code ran, the search (read from `#q=`) hiding rows, and
no name executed.

Chromium is installed on first run where it is missing and this runs as root with apt-get (a fresh CI machine);
elsewhere the tests skip, saying why.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import sys
import zlib
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

from entra_aws.engine.reconcile import reconcile
from entra_aws.engine.scope import Scope

from .conftest import Seeded

REPO = Path(__file__).resolve().parents[3]
CONFIG = str(REPO / "config" / "example.yaml")
INSTALL_TIMEOUT = 900
PWNED = "document.body.setAttribute('data-pwned','1')"
HOSTILE_GROUPS = (f"<script>{PWNED}</script>", f'"><img src=x onerror="{PWNED}">')
GRANTED, PRIVILEGED = (0x9B, 0xE9, 0xA8), (0xFF, 0x81, 0x82)  # the page's cell colours


def _found() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _install() -> str:
    """Why chromium could not be installed ('' when it was)."""
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        return "chromium not found, and installing it needs root and apt-get"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update"], ["apt-get", "install", "-y", "--no-install-recommends", "chromium"]):
        try:
            subprocess.run(command, env=env, capture_output=True, check=True, timeout=INSTALL_TIMEOUT)
        except (subprocess.SubprocessError, OSError) as error:
            return f"chromium not found, and `{' '.join(command)}` failed: {type(error).__name__}"
    return ""


@pytest.fixture(scope="session")
def chromium() -> str:
    found = _found()
    if found is None:
        why = _install()
        found = _found()
        if found is None:
            pytest.skip(why or "chromium not found after installing it")
    return found


class Browser:
    def __init__(self, executable: str, profile: Path) -> None:
        self.executable, self.profile = executable, profile

    def _run(self, *argv: str) -> subprocess.CompletedProcess[str]:
        command = [self.executable, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={self.profile}"]
        done = subprocess.run([*command, *argv], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
        return done

    def dom(self, url: str) -> str:
        return self._run("--dump-dom", url).stdout

    def screenshot(self, url: str, path: Path) -> bytes:
        self._run("--hide-scrollbars", f"--screenshot={path}", "--window-size=1400,1000", url)
        return path.read_bytes()


# -- PNG, decoded with the standard library -----------------------------------------------------------------


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else b if pb <= pc else c


def _unfilter(kind: int, line: bytearray, previous: bytes, step: int) -> None:
    for i in range(len(line)):
        left = line[i - step] if i >= step else 0
        up = previous[i]
        corner = previous[i - step] if i >= step else 0
        line[i] = (line[i] + (0, left, up, (left + up) // 2, _paeth(left, up, corner))[kind]) & 0xFF


def pixels(png: bytes) -> list[tuple[int, int, int]]:
    """Every pixel's RGB of an 8-bit RGB or RGBA PNG (what Chromium writes)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    offset, data, header = 8, b"", b""
    while offset < len(png):
        (length,), kind = struct.unpack(">I", png[offset : offset + 4]), png[offset + 4 : offset + 8]
        body = png[offset + 8 : offset + 8 + length]
        header, data = (body, data) if kind == b"IHDR" else (header, data + body if kind == b"IDAT" else data)
        offset += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and colour in (2, 6), f"unexpected PNG format: depth {depth}, colour type {colour}"
    step = 3 if colour == 2 else 4
    raw, stride = zlib.decompress(data), width * step
    previous, found = bytes(stride), []
    for row in range(height):
        start = row * (stride + 1)
        line = bytearray(raw[start + 1 : start + 1 + stride])
        _unfilter(raw[start], line, previous, step)
        found += [(line[i], line[i + 1], line[i + 2]) for i in range(0, stride, step)]
        previous = bytes(line)
    return found


# -- the page's DOM after its code ran ----------------------------------------------------------------------


class Rows(HTMLParser):
    """The heatmap's rows (accounts) and cells, the people's access rows and the notes, as the page drew them."""

    def __init__(self) -> None:
        super().__init__()
        self.cells = self.filled = self.paths = 0
        self.accounts: list[str] = []
        self.notes: dict[str, str] = {}
        self.pwned = False
        self._note = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        classes = (found.get("class") or "").split()
        self.pwned |= "data-pwned" in found
        self._note = (found.get("id") or "") if tag == "p" and (found.get("id") or "").endswith("-note") else ""
        if tag == "td" and "cell" in classes:
            self.cells += 1
            self.filled += found.get("data-count") != "0"
        if tag == "tr" and "account" in classes:
            self.accounts.append(found.get("data-account") or "")
        self.paths += tag == "tr" and "access" in classes

    def handle_endtag(self, tag: str) -> None:
        self._note = ""

    def handle_data(self, data: str) -> None:
        if self._note:
            self.notes[self._note] = data


def rows_of(dom: str) -> Rows:
    parsed = Rows()
    parsed.feed(dom)
    return parsed


@dataclass(frozen=True)
class Rendered:
    page: Path
    accounts: int
    groups: int
    """Groups holding a grant (the heatmap's columns)."""
    developers: list[str]
    """Accounts where AWS-Developers holds something."""
    paths: int
    """Access paths in the report."""


@pytest.fixture
def report(seeded: Seeded, tmp_path: Path) -> Rendered:
    """The example applied, then markup-named groups holding ReadOnly (their grants, unexplained by the config,
    are in the pending plan too)."""
    assert reconcile(seeded.config, Scope.everything(), apply=True, context=seeded.context()).ok
    held = seeded.assignments()
    accounts = len(seeded.orgs.list_accounts()["Accounts"])
    developers = sorted({a["account"] for a in held if a["group"] == "AWS-Developers"})
    store, instance = seeded.store_id, seeded.instance_arn
    arns = seeded.sso.list_permission_sets(InstanceArn=instance)["PermissionSets"]
    names = {
        seeded.sso.describe_permission_set(InstanceArn=instance, PermissionSetArn=a)["PermissionSet"]["Name"]: a
        for a in arns
    }
    for name in HOSTILE_GROUPS:
        group = seeded.identitystore.create_group(IdentityStoreId=store, DisplayName=name)["GroupId"]
        user = seeded.identitystore.create_user(
            IdentityStoreId=store, UserName=f"x{name}", DisplayName="x", Name={"GivenName": "x", "FamilyName": "y"}
        )["UserId"]
        seeded.identitystore.create_group_membership(IdentityStoreId=store, GroupId=group, MemberId={"UserId": user})
        seeded.sso.create_account_assignment(
            InstanceArn=instance,
            TargetId="666666666666",
            TargetType="AWS_ACCOUNT",
            PermissionSetArn=names["ReadOnly"],
            PrincipalType="GROUP",
            PrincipalId=group,
        )
    page = tmp_path / "access.html"
    command = [sys.executable, "-m", "entra_aws", "access", "--config", CONFIG, "--html", str(page), "--with-plan"]
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO, timeout=120, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    paths = int(re.search(r"\((\d+) access paths\)", done.stderr).group(1))  # type: ignore[union-attr]
    return Rendered(page, accounts, len({a["group"] for a in held}) + len(HOSTILE_GROUPS), developers, paths)


def test_the_screenshot_is_not_blank_and_shows_granted_and_privileged_cells(
    chromium: str, report: Rendered, tmp_path: Path
) -> None:
    shot = pixels(Browser(chromium, tmp_path / "profile").screenshot(report.page.as_uri(), tmp_path / "shot.png"))
    colours = set(shot)
    most = max(shot.count(c) for c in [*list(colours)[:50], (255, 255, 255)])
    assert len(colours) > 50 and most < 0.95 * len(shot), "the screenshot is (nearly) blank"
    assert GRANTED in colours and PRIVILEGED in colours


def test_the_heatmap_has_a_cell_per_account_and_group_and_names_never_run(
    chromium: str, report: Rendered, tmp_path: Path
) -> None:
    dom = rows_of(Browser(chromium, tmp_path / "profile").dom(report.page.as_uri()))
    assert len(dom.accounts) == report.accounts and dom.notes["heatmap-note"] == f"{report.accounts} accounts"
    assert dom.cells == report.accounts * report.groups and dom.filled >= report.groups
    assert dom.paths == report.paths and dom.notes["people-note"] == f"{report.paths} access paths"
    assert not dom.pwned
    page = report.page.read_text(encoding="utf-8")
    assert page.count("<script") == 2 and "<img" not in page


def test_the_search_in_the_address_draws_only_the_rows_it_matches(
    chromium: str, report: Rendered, tmp_path: Path
) -> None:
    dom = rows_of(Browser(chromium, tmp_path / "profile").dom(report.page.as_uri() + "#q=Developers"))
    assert sorted(dom.accounts) == report.developers and len(report.developers) == 4
    assert dom.notes["heatmap-note"] == f"4 of {report.accounts} accounts match"
    assert 0 < dom.paths < report.paths


def test_the_person_in_the_address_shows_only_their_paths(chromium: str, report: Rendered, tmp_path: Path) -> None:
    dom = rows_of(Browser(chromium, tmp_path / "profile").dom(report.page.as_uri() + "#user=erin@example.com"))
    assert dom.paths == 1 and dom.notes["people-note"] == f"1 of {report.paths} access paths match"

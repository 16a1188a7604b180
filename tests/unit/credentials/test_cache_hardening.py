"""The credential cache trusts only what the user alone could have written, and never writes through a link."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from entra_aws.credentials import cache
from entra_aws.credentials.errors import HelperError

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX owners, modes and O_NOFOLLOW")

KEY = {"tenant": "t", "role": "arn:aws:iam::123456789012:role/r"}
DOCUMENT: dict[str, object] = {
    "Version": 1,
    "AccessKeyId": "ASIAHARDENINGEXAMPLE",
    "SecretAccessKey": "hardening/secret",
    "SessionToken": "hardening-token",
    "Expiration": "2100-01-01T00:00:00Z",
}


@pytest.fixture
def directory(tmp_path: Path) -> Path:
    folder = tmp_path / "cache"
    folder.mkdir(mode=0o700)
    return folder


def _entry_path(directory: Path) -> str:
    return cache.cache_path(str(directory), KEY)


def test_a_directory_group_or_others_may_write_is_refused_for_reading_and_writing(directory: Path) -> None:
    path = _entry_path(directory)
    cache.write_entry(path, KEY, DOCUMENT, refresh_at=4102444800.0)
    directory.chmod(0o777)

    with pytest.raises(HelperError, match=r"cache directory .* group or others may write it \(mode 777\)"):
        cache.read_entry(path, KEY)
    with pytest.raises(HelperError, match="group or others may write it"):
        cache.write_entry(path, KEY, DOCUMENT, refresh_at=4102444800.0)
    with pytest.raises(HelperError, match="group or others may write it"), cache.CacheLock(path):
        pass


def test_a_cache_file_others_may_write_is_not_trusted(directory: Path) -> None:
    path = _entry_path(directory)
    cache.write_entry(path, KEY, DOCUMENT, refresh_at=4102444800.0)
    Path(path).chmod(0o666)

    with pytest.raises(HelperError, match=r"cache file .* group or others may write it \(mode 666\)"):
        cache.read_entry(path, KEY)


def test_a_directory_owned_by_another_user_is_refused(directory: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _entry_path(directory)
    cache.write_entry(path, KEY, DOCUMENT, refresh_at=4102444800.0)
    monkeypatch.setattr(os, "getuid", lambda: directory.stat().st_uid + 1)

    with pytest.raises(HelperError, match=r"owned by uid \d+, not by you"):
        cache.read_entry(path, KEY)


def test_a_planted_symlink_is_neither_read_nor_written_through(directory: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    path = _entry_path(directory)
    Path(path).symlink_to(victim)

    with pytest.raises(HelperError, match="is a symbolic link"):
        cache.read_entry(path, KEY)
    cache.write_entry(path, KEY, DOCUMENT, refresh_at=4102444800.0)  # replaces the link itself

    assert victim.read_text(encoding="utf-8") == "precious"
    assert not Path(path).is_symlink()
    assert cache.read_entry(path, KEY, now=0.0)[0] == cache.FRESH


def test_a_symlinked_lock_file_is_refused(directory: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    path = _entry_path(directory)
    Path(path + ".lock").symlink_to(victim)

    with pytest.raises(HelperError, match="is a symbolic link"), cache.CacheLock(path):
        pass
    assert victim.read_text(encoding="utf-8") == "precious"


def test_temporary_names_cannot_be_predicted_or_planted(directory: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _entry_path(directory)
    opened: list[tuple[str, int]] = []
    real_open = os.open

    def recording_open(name: str, flags: int, *args: object, **kwargs: object) -> int:
        opened.append((os.fspath(name), flags))
        return real_open(name, flags, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", recording_open)
    cache.write_entry(path, KEY, DOCUMENT, refresh_at=1.0)
    cache.write_entry(path, KEY, DOCUMENT, refresh_at=2.0)

    temporaries = [(name, flags) for name, flags in opened if name.endswith(".tmp")]
    assert len({name for name, _ in temporaries}) == 2
    assert all(flags & os.O_EXCL and flags & os.O_NOFOLLOW and flags & os.O_CREAT for _, flags in temporaries)
    assert sorted(p.name for p in directory.iterdir()) == [Path(path).name]


def test_permissions_are_private_even_under_a_permissive_umask(directory: Path) -> None:
    path = _entry_path(directory)
    previous = os.umask(0)
    try:
        cache.write_entry(path, KEY, DOCUMENT, refresh_at=4102444800.0)
    finally:
        os.umask(previous)

    assert stat.S_IMODE(Path(path).stat().st_mode) == 0o600
    assert cache.read_entry(path, KEY, now=0.0) == (cache.FRESH, DOCUMENT, "cache hit")


def test_a_new_cache_directory_is_private(tmp_path: Path) -> None:
    path = cache.cache_path(str(tmp_path / "new" / "cache"), KEY)
    cache.write_entry(path, KEY, DOCUMENT, refresh_at=4102444800.0)

    assert stat.S_IMODE(Path(path).parent.stat().st_mode) == 0o700

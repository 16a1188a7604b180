"""On-disk cache of AWS credentials, one 0600 file per (tenant, client, credential, role, audience...).

This module is on the cache-hit path, run before every AWS CLI command: it imports only `os`, `sys`, `json`,
`errno` and `time` (no pathlib, hashlib, datetime or typing). Writes are atomic (temporary file + rename), so a
reader never needs the lock; the lock (`CacheLock`) serialises the slow path so that concurrent processes
make one fetch.

Nobody else may choose what this module reads or where it writes: the directory is opened once and checked (owned
by the user, not writable by group or others) and every file is opened relative to that descriptor, never through
a symbolic link (O_NOFOLLOW); temporary files get unguessable names, are created exclusively (O_EXCL) and are
0600 before a byte is written. On Windows, which has neither owners in this sense nor O_NOFOLLOW, the per-user
default location is what keeps the cache private.
"""

# os.path on purpose: pathlib costs milliseconds on a path run before every AWS CLI command.
# ruff: noqa: PTH100, PTH103, PTH105, PTH107, PTH111, PTH116, PTH118

from __future__ import annotations

import errno
import json
import os
import sys
import time

from entra_aws.credentials.errors import HelperError

ENTRY_VERSION = 1
CACHE_DIR_ENV = "ENTRA_AWS_CACHE_DIR"
# botocore refreshes credential_process credentials when 15 minutes remain (advisory), 10 minutes (mandatory).
REFRESH_WINDOW_SECONDS = 900
CREDENTIAL_FIELDS = ("AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration")
FRESH, STALE, MISSING, CORRUPT = "fresh", "stale", "missing", "corrupt"
NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0)
RELATIVE_OPEN = os.open in os.supports_dir_fd  # False on Windows: paths are opened whole there
READ_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)  # a planted FIFO reads as empty instead of blocking


def cache_dir(override: str | None = None) -> str:
    """The directory of credential files: option, $ENTRA_AWS_CACHE_DIR, else the user's cache directory."""
    chosen = override or os.environ.get(CACHE_DIR_ENV)
    if chosen:
        return os.path.abspath(os.path.expanduser(chosen))
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or os.path.expanduser("~\\AppData\\Local")
    else:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return os.path.join(base, "entra-aws", "credentials")


def cache_path(directory: str, key: dict[str, str]) -> str:
    """The file for one key, named by a 64-bit FNV-1a hash of its fields.

    The fields themselves are stored in the entry and compared on read, so a hash collision can only cost a
    refetch, never hand out another role's credentials. (FNV instead of hashlib: importing hashlib loads
    OpenSSL, a few milliseconds on a path run before every AWS CLI command.)
    """
    canonical = json.dumps(key, sort_keys=True, separators=(",", ":"))
    return os.path.join(directory, f"{fnv1a64(canonical.encode()):016x}.json")


def fnv1a64(data: bytes) -> int:
    value = 0xCBF29CE484222325
    for byte in data:
        value = ((value ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return value


def refresh_window(duration_seconds: int) -> int:
    """15 minutes, or half the session for sessions under 30 minutes (else they would never be reused)."""
    return min(REFRESH_WINDOW_SECONDS, duration_seconds // 2)


def read_entry(path: str, key: dict[str, str], now: float | None = None) -> tuple[str, dict[str, object], str]:
    """(state, credential_process document, reason): state is fresh, stale, missing or corrupt.

    HelperError when the directory or file is not private to the user or the file is a symbolic link.
    """
    directory, name = os.path.split(path)
    try:
        with CacheDirectory(directory) as folder:
            raw = folder.read(name)
    except FileNotFoundError:
        return MISSING, {}, "no cache file"
    except UnicodeDecodeError:
        return CORRUPT, {}, "the cache file is not UTF-8 text"
    except OSError as exc:
        return CORRUPT, {}, f"cannot read the cache file ({exc.strerror})"
    return _parse_entry(raw, key, time.time() if now is None else now)


def _parse_entry(raw: str, key: dict[str, str], now: float) -> tuple[str, dict[str, object], str]:
    try:
        entry = json.loads(raw)
    except ValueError:
        return CORRUPT, {}, "the cache file is not JSON"
    if not isinstance(entry, dict) or entry.get("version") != ENTRY_VERSION:
        return CORRUPT, {}, f"the cache file is not a version {ENTRY_VERSION} entry"
    document = entry.get("credentials")
    refresh_at = entry.get("refresh_at")
    if not isinstance(document, dict) or not isinstance(refresh_at, int | float):
        return CORRUPT, {}, "the cache entry lacks credentials or refresh_at"
    if any(not isinstance(document.get(name), str) or not document.get(name) for name in CREDENTIAL_FIELDS):
        return CORRUPT, {}, f"the cached credentials lack one of {', '.join(CREDENTIAL_FIELDS)}"
    if entry.get("key") != key:
        return STALE, {}, "the cache file belongs to another role, audience or identity"
    if now >= refresh_at:
        return STALE, {}, "the cached credentials are within their refresh window"
    return FRESH, document, "cache hit"


def write_entry(path: str, key: dict[str, str], document: dict[str, object], refresh_at: float) -> None:
    """Atomically replace the cache file with a 0600 file (directory 0700)."""
    entry = {"version": ENTRY_VERSION, "key": key, "refresh_at": refresh_at, "credentials": document}
    directory, name = os.path.split(path)
    try:
        with CacheDirectory(directory, create=True) as folder:
            folder.replace(name, json.dumps(entry).encode("utf-8"))
    except OSError as exc:
        raise HelperError(
            f"cannot write the credential cache {path} ({exc.strerror}); "
            f"set --cache-dir or ${CACHE_DIR_ENV} to a writable directory"
        ) from None


class CacheDirectory:
    """The cache directory, opened once and checked; its files are opened relative to it, never via a symlink."""

    def __init__(self, path: str, create: bool = False) -> None:
        self.path = path
        if create:
            os.makedirs(path, mode=0o700, exist_ok=True)
        self._descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)) if RELATIVE_OPEN else -1
        try:
            check_private(os.fstat(self._descriptor) if RELATIVE_OPEN else os.stat(path), path, "directory")
        except HelperError:
            self.close()
            raise

    def __enter__(self) -> CacheDirectory:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        if self._descriptor >= 0:
            os.close(self._descriptor)
            self._descriptor = -1

    def open(self, name: str, flags: int, mode: int = 0o600) -> int:
        """A descriptor for `name` in this directory; HelperError if it is a symbolic link or not private."""
        try:
            if RELATIVE_OPEN:
                descriptor = os.open(name, flags | NO_FOLLOW, mode, dir_fd=self._descriptor)
            else:
                descriptor = os.open(os.path.join(self.path, name), flags | NO_FOLLOW, mode)
        except OSError as exc:
            if NO_FOLLOW and exc.errno == errno.ELOOP:
                raise HelperError(
                    f"refusing the credential cache file {os.path.join(self.path, name)}: it is a symbolic link"
                ) from None
            raise
        try:
            check_private(os.fstat(descriptor), os.path.join(self.path, name), "file")
        except HelperError:
            os.close(descriptor)
            raise
        return descriptor

    def read(self, name: str) -> str:
        descriptor = self.open(name, READ_FLAGS)
        with os.fdopen(descriptor, "rb") as handle:
            return handle.read().decode("utf-8")

    def replace(self, name: str, content: bytes) -> None:
        """Write `content` to a new exclusive 0600 temporary file, then rename it over `name` (atomic)."""
        temporary = f"{name}.{os.getpid()}.{os.urandom(8).hex()}.tmp"
        descriptor = self.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
        try:
            if hasattr(os, "fchmod"):
                os.fchmod(descriptor, 0o600)  # whatever the umask did, before a byte is written
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(content)
            self._rename(temporary, name)
        except OSError:
            self._remove_quietly(temporary)
            raise

    def _rename(self, source: str, target: str) -> None:
        if RELATIVE_OPEN:
            os.replace(source, target, src_dir_fd=self._descriptor, dst_dir_fd=self._descriptor)
        else:
            os.replace(os.path.join(self.path, source), os.path.join(self.path, target))

    def _remove_quietly(self, name: str) -> None:
        try:
            if RELATIVE_OPEN:
                os.remove(name, dir_fd=self._descriptor)
            else:
                os.remove(os.path.join(self.path, name))
        except OSError:
            return


def check_private(status: os.stat_result, path: str, what: str) -> None:
    """HelperError unless the user owns `path` and neither group nor others may write it (POSIX only)."""
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        return
    if status.st_uid != os.getuid():
        raise HelperError(
            f"refusing the credential cache {what} {path}: it is owned by uid {status.st_uid}, not by you "
            f"(uid {os.getuid()}); set --cache-dir or ${CACHE_DIR_ENV} to a directory of your own"
        )
    if status.st_mode & 0o022:
        raise HelperError(
            f"refusing the credential cache {what} {path}: group or others may write it "
            f"(mode {status.st_mode & 0o777:o}); run chmod go-w {path}"
        )


class CacheLock:
    """An exclusive lock on `<cache file>.lock` (flock on POSIX, msvcrt on Windows), with a timeout."""

    def __init__(self, path: str, timeout_seconds: float = 120.0) -> None:
        self.path = path + ".lock"
        self.timeout_seconds = timeout_seconds
        self._descriptor = -1

    def __enter__(self) -> CacheLock:
        directory, name = os.path.split(self.path)
        try:
            with CacheDirectory(directory, create=True) as folder:
                self._descriptor = folder.open(name, os.O_RDWR | os.O_CREAT)
        except OSError as exc:
            raise HelperError(
                f"cannot create the cache lock {self.path} ({exc.strerror}); "
                f"set --cache-dir or ${CACHE_DIR_ENV} to a writable directory"
            ) from None
        self._acquire()
        return self

    def _acquire(self) -> None:
        deadline = time.monotonic() + self.timeout_seconds
        while not _try_lock(self._descriptor):
            if time.monotonic() >= deadline:
                os.close(self._descriptor)
                raise HelperError(
                    f"another entra-aws process has held {self.path} for {self.timeout_seconds:.0f}s; "
                    "remove the lock file if no such process is running"
                )
            time.sleep(0.02)

    def __exit__(self, *exc_info: object) -> None:
        _unlock(self._descriptor)
        os.close(self._descriptor)


def _try_lock(descriptor: int) -> bool:
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import msvcrt

        try:
            msvcrt.locking(descriptor, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _unlock(descriptor: int) -> None:
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import msvcrt

        os.lseek(descriptor, 0, os.SEEK_SET)
        msvcrt.locking(descriptor, msvcrt.LK_UNLCK, 1)
        return
    import fcntl

    fcntl.flock(descriptor, fcntl.LOCK_UN)

"""The local AWS the call-counting benchmarks run against: the project's emulator (moto in server mode, in this
process, plus its Identity Center fills), reset, and an environment in which plain boto3 reaches it."""

from __future__ import annotations

import os
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
}


@contextmanager
def local_aws() -> Iterator[str]:
    """Start a clean emulator, point AWS_ENDPOINT_URL at it, and restore the environment afterwards."""
    from entra_aws.sandbox.emulator import Emulator

    saved = dict(os.environ)
    emulator = Emulator.start()
    try:
        reset = urllib.request.Request(f"{emulator.url}/moto-api/reset", method="POST")
        urllib.request.urlopen(reset).read()  # moto's backends are per process: forget any earlier section
        for key in [k for k in os.environ if k.startswith("AWS_")]:
            del os.environ[key]
        os.environ.update(ENVIRONMENT, AWS_ENDPOINT_URL=emulator.url)
        yield emulator.url
    finally:
        emulator.stop()
        os.environ.clear()
        os.environ.update(saved)

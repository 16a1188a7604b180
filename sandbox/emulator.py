"""Start and stop the local AWS emulator: moto in server mode on 127.0.0.1, plus the gap fills."""

from __future__ import annotations

import logging
import os
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

SANDBOX_ACCOUNT_ID_TAG = "sandbox:account-id"
"""CreateAccount tag the emulator honours to give a new account a chosen id (real AWS picks one)."""

DEFAULT_MANAGEMENT_ACCOUNT = "111111111111"


def _chosen_account_ids() -> None:
    from moto.organizations import models

    original = models.FakeAccount.__init__
    if getattr(original, "_entra_aws", False):
        return

    def init(self: Any, organization: Any, **kwargs: Any) -> None:
        tags = [t for t in kwargs.get("Tags", []) if t["Key"] != SANDBOX_ACCOUNT_ID_TAG]
        chosen = [t["Value"] for t in kwargs.get("Tags", []) if t["Key"] == SANDBOX_ACCOUNT_ID_TAG]
        original(self, organization, **{**kwargs, "Tags": tags})
        if chosen:
            self.id = chosen[0]

    init._entra_aws = True  # type: ignore[attr-defined]
    models.FakeAccount.__init__ = init  # type: ignore[method-assign]


ORGANIZATION_SERVICES = frozenset({"sso-admin", "identitystore", "organizations"})
"""One organization and one Identity Center instance, whoever calls: a delegated administrator reaches the
management account's (moto keeps a backend per account)."""


@dataclass(frozen=True)
class AccountRouting:
    """topology delegated_admin: which emulated account a request without an `x-moto-account-id` header is in.
    moto picks the account from MOTO_ACCOUNT_ID, else that header, else the access key; this replaces the
    first and the last."""

    management: str
    automation: str
    home_region: str

    def account(self, service: str | None, region: str) -> str:
        if service in ORGANIZATION_SERVICES:
            return self.management
        if service == "events" and region != self.home_region:
            return self.management  # Organizations / Control Tower events: the management account's buses
        return self.automation


_routing: AccountRouting | None = None


def _route_accounts() -> None:
    from moto.core.responses import BaseResponse

    original = BaseResponse.get_current_account
    if getattr(original, "_entra_aws", False):
        return

    def current_account(self: Any) -> str:
        if _routing is None or "x-moto-account-id" in self.headers:
            return original(self)
        return _routing.account(self.service_name, self.region)

    current_account._entra_aws = True  # type: ignore[attr-defined]
    BaseResponse.get_current_account = current_account  # type: ignore[method-assign]


@dataclass
class Emulator:
    server: Any
    url: str

    @classmethod
    def start(
        cls,
        port: int = 0,
        management_account_id: str = DEFAULT_MANAGEMENT_ACCOUNT,
        routing: AccountRouting | None = None,
    ) -> Emulator:
        global _routing
        _routing = routing
        if routing is None:
            os.environ["MOTO_ACCOUNT_ID"] = management_account_id
        else:
            os.environ.pop("MOTO_ACCOUNT_ID", None)
            _route_accounts()
        from moto.server import ThreadedMotoServer

        from sandbox import identity_center_gaps

        identity_center_gaps.install()
        _chosen_account_ids()
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        server.start()
        host, bound_port = server.get_host_and_port()
        return cls(server=server, url=f"http://{host}:{bound_port}")

    def stop(self) -> None:
        global _routing
        _routing = None
        self.server.stop()


@contextmanager
def emulated_aws(
    management_account_id: str = DEFAULT_MANAGEMENT_ACCOUNT, routing: AccountRouting | None = None
) -> Iterator[str]:
    """A clean emulator and an environment in which plain boto3 reaches it (throwaway credentials, no AWS_*
    setting of the caller's leaking in); afterwards the emulator stops and the environment is restored.
    `routing`: two emulated accounts (topology delegated_admin)."""
    saved = dict(os.environ)
    emulator = Emulator.start(management_account_id=management_account_id, routing=routing)
    try:
        reset = urllib.request.Request(f"{emulator.url}/moto-api/reset", method="POST")
        urllib.request.urlopen(reset).read()  # moto's backends are per process: forget any earlier run
        for key in [k for k in os.environ if k.startswith("AWS_")]:
            del os.environ[key]
        os.environ.update(
            {
                "AWS_ENDPOINT_URL": emulator.url,
                "AWS_ACCESS_KEY_ID": "sandbox",
                "AWS_SECRET_ACCESS_KEY": "sandbox",
                "AWS_DEFAULT_REGION": "us-east-1",
                "AWS_CONFIG_FILE": os.devnull,
                "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            }
        )
        yield emulator.url
    finally:
        emulator.stop()
        os.environ.clear()
        os.environ.update(saved)

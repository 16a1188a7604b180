"""Start and stop the local AWS emulator: moto in server mode on 127.0.0.1, plus the gap fills."""

from __future__ import annotations

import logging
import os
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


@dataclass
class Emulator:
    server: Any
    url: str

    @classmethod
    def start(cls, port: int = 0, management_account_id: str = DEFAULT_MANAGEMENT_ACCOUNT) -> Emulator:
        os.environ["MOTO_ACCOUNT_ID"] = management_account_id
        from moto.server import ThreadedMotoServer

        from entra_aws.sandbox import identity_center_gaps

        identity_center_gaps.install()
        _chosen_account_ids()
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        server.start()
        host, bound_port = server.get_host_and_port()
        return cls(server=server, url=f"http://{host}:{bound_port}")

    def stop(self) -> None:
        self.server.stop()

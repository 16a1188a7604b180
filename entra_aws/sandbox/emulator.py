"""Start and stop the local AWS emulator (moto server on loopback)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class Emulator:
    server: Any
    url: str

    @classmethod
    def start(cls, port: int = 0) -> Emulator:
        from moto.server import ThreadedMotoServer

        from entra_aws.sandbox import identity_center_gaps

        identity_center_gaps.install()
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        server.start()
        host, bound_port = server.get_host_and_port()
        return cls(server=server, url=f"http://{host}:{bound_port}")

    def stop(self) -> None:
        self.server.stop()

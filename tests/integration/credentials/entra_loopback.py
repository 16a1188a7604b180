"""A loopback stand-in for Azure's managed identity token endpoints, signing real RS256 JWTs.

Two of the forms azure-identity documents and reads from the environment:
- VM IMDS: GET {AZURE_POD_IDENTITY_AUTHORITY_HOST}/metadata/identity/oauth2/token
  ?api-version=2018-02-01&resource=… with header `Metadata: true`; answers `expires_in` (and `expires_on`)
  as strings, like IMDS.
- App Service / Functions: GET {IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=… with header
  `X-IDENTITY-HEADER: {IDENTITY_HEADER}`; answers `expires_on` (epoch seconds).

The claims follow the published app-only v1 token (shared fixture
entra-access-token-v1.0-app-only-Graph.REPO-UNIDENTIFIED.claims.json) — iss https://sts.windows.net/{tid}/,
appid, idtyp app, sub == oid — or its v2 counterpart (iss …/v2.0, azp instead of appid).
Tests queue failure statuses (`fail_with`) and count every token request (`token_requests`).
"""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

IMDS_PATH = "/metadata/identity/oauth2/token"
APP_SERVICE_PATH = "/msi/token"
APP_SERVICE_HEADER = "app-service-identity-header-for-tests"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class EntraLoopback:
    def __init__(self, version: str = "1.0", lifetime: int = 3600) -> None:
        self.tenant_id = str(uuid.uuid4())
        self.object_id = str(uuid.uuid4())
        self.client_id = str(uuid.uuid4())
        self.version = version
        self.lifetime = lifetime
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = _b64url(uuid.uuid4().bytes)
        self.failures: list[int] = []
        self.delay = 0.0
        self.token_text: str | None = None  # set to serve a malformed access token
        self.issued: list[str] = []
        self.requests: list[tuple[str, dict[str, list[str]], dict[str, str]]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def token_requests(self) -> int:
        return len(self.requests)

    def start(self) -> EntraLoopback:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def fail_with(self, *statuses: int) -> None:
        """The next requests get these HTTP statuses, in order; then tokens again."""
        with self._lock:
            self.failures.extend(statuses)

    def claims(self, resource: str) -> dict[str, Any]:
        now = int(time.time())
        common = {
            "iat": now,
            "nbf": now,
            "exp": now + self.lifetime,
            "aio": _b64url(uuid.uuid4().bytes),
            "idtyp": "app",
            "oid": self.object_id,
            "rh": "0.AVEAddpcYt1iDkelVHMTh3_wPEZIf3kAutdPukPawfj2MBNRAAA.",
            "sub": self.object_id,
            "tid": self.tenant_id,
            "uti": _b64url(uuid.uuid4().bytes),
            "xms_mirid": f"/subscriptions/{uuid.uuid4()}/resourcegroups/rg/providers/"
            "Microsoft.ManagedIdentity/userAssignedIdentities/workload",
        }
        if self.version == "2.0":
            return dict(
                common,
                aud=resource,
                iss=f"https://login.microsoftonline.com/{self.tenant_id}/v2.0",
                azp=self.client_id,
                azpacr="2",
                ver="2.0",
            )
        return dict(
            common,
            aud=resource,
            iss=f"https://sts.windows.net/{self.tenant_id}/",
            appid=self.client_id,
            appidacr="2",
            idp=f"https://sts.windows.net/{self.tenant_id}/",
            ver="1.0",
        )

    def sign(self, claims: dict[str, Any]) -> str:
        header = {"typ": "JWT", "alg": "RS256", "kid": self.kid, "x5t": self.kid}
        signing_input = f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(claims).encode())}"
        signature = self.key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{signing_input}.{_b64url(signature)}"

    def public_jwk(self) -> dict[str, str]:
        numbers = self.key.public_key().public_numbers()
        return {
            "kty": "RSA",
            "use": "sig",
            "kid": self.kid,
            "n": _b64url(numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")),
            "e": _b64url(numbers.e.to_bytes(3, "big")),
        }

    def _respond(self, path: str, query: dict[str, list[str]], headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.requests.append((path, query, headers))
            failure = self.failures.pop(0) if self.failures else None
        if self.delay:
            time.sleep(self.delay)
        if failure is not None:
            return failure, {
                "error": "temporarily_unavailable",
                "error_description": f"loopback status {failure}",
            }
        if path == IMDS_PATH and headers.get("metadata", "").lower() != "true":
            return 400, {
                "error": "invalid_request",
                "error_description": "Required metadata header not specified",
            }
        if path == APP_SERVICE_PATH and headers.get("x-identity-header") != APP_SERVICE_HEADER:
            return 401, {"statusCode": 401, "message": "Unauthorized: bad X-IDENTITY-HEADER"}
        resource = query.get("resource", [""])[0]
        if path not in (IMDS_PATH, APP_SERVICE_PATH) or not resource:
            return 404, {"error": "not_found", "error_description": f"no such endpoint {path}"}
        token = self.token_text if self.token_text is not None else self.sign(self.claims(resource))
        with self._lock:
            self.issued.append(token)
        expires_on = int(time.time()) + self.lifetime
        body: dict[str, Any] = {
            "access_token": token,
            "expires_on": str(expires_on),
            "resource": resource,
            "token_type": "Bearer",
            "client_id": self.client_id,
        }
        if path == IMDS_PATH:
            body["expires_in"] = str(self.lifetime)
            body["ext_expires_in"] = str(self.lifetime)
            body["not_before"] = str(expires_on - self.lifetime)
        return 200, body

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        loopback = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parsed = urlparse(self.path)
                headers = {name.lower(): value for name, value in self.headers.items()}
                status, body = loopback._respond(parsed.path, parse_qs(parsed.query), headers)
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler

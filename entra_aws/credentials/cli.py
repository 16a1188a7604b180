"""`entra-aws credentials`: the AWS `credential_process` helper for Azure workloads.

The cache-hit path (run by the AWS CLI before every command) imports only os, sys, json, time and re:
azure-identity and botocore are imported by `refresh` on a miss only.
"""

from __future__ import annotations

import json
import os
import sys

from entra_aws.credentials import cache
from entra_aws.credentials.errors import HelperError, redact
from entra_aws.credentials.options import Options, parse

HELP = """usage: entra-aws credentials --role-arn ARN --audience AUD [options]

Prints AWS credential_process JSON for an IAM role, from an Entra access token for AUD obtained with
azure-identity (managed identity, AKS workload identity, client secret or certificate).

  --role-arn ARN          IAM role to assume with AssumeRoleWithWebIdentity (required)
  --audience AUD          Entra app the token is for: Application ID URI or client id (required)
  --client-id ID          user-assigned managed identity / app registration client id ($AZURE_CLIENT_ID)
  --tenant-id ID          tenant of an app registration ($AZURE_TENANT_ID)
  --credential KIND       auto (default), managed-identity, workload-identity, client-secret,
                          client-certificate
  --certificate-path P    certificate for client-certificate ($AZURE_CLIENT_CERTIFICATE_PATH)
  --duration SECONDS      session length, 900..43200 and at most the role's maximum (default 3600)
  --session-name NAME     RoleSessionName, [\\w+=,.@-]{2,64} (default: entra-<object id of the workload>)
  --region REGION         STS region ($AWS_REGION / $AWS_DEFAULT_REGION, else us-east-1)
  --cache-dir DIR         credential cache directory ($ENTRA_AWS_CACHE_DIR,
                          else ~/.cache/entra-aws/credentials)
  --no-cache              neither read nor write the cache
  --print-config          print the ~/.aws/config profile that runs this helper, and exit
  --profile NAME          profile name for --print-config (default: the role name)
"""


def run(command: str, argv: list[str]) -> int:
    try:
        options = parse(argv, "credentials")
        if options.help:
            sys.stdout.write(HELP)
            return 0
        if options.print_config:
            from entra_aws.credentials.profile import render

            sys.stdout.write(render(options))
            return 0
        document = credentials(options)
    except HelperError as exc:
        return _fail(exc.message, exc.exit_code)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)
    except Exception as exc:  # one line, never a traceback (which could carry a token in a local)
        secrets = [os.environ.get("AZURE_CLIENT_SECRET", ""), os.environ.get("IDENTITY_HEADER", "")]
        return _fail(f"unexpected {type(exc).__name__}: {redact(str(exc), secrets)[:300]}", 1)
    sys.stdout.write(json.dumps(document) + "\n")
    return 0


def credentials(options: Options) -> dict[str, object]:
    """The credential_process document: from the cache when fresh, else from Entra + STS (and cached)."""
    if options.no_cache:
        from entra_aws.credentials.refresh import obtain

        return obtain(options)[0]
    key = options.cache_key()
    path = cache.cache_path(cache.cache_dir(options.cache_dir), key)
    state, document, reason = cache.read_entry(path, key)
    if state == cache.FRESH:
        return document
    from entra_aws.credentials.refresh import refresh_cached

    return refresh_cached(options, path, key, state, reason)


def _fail(message: str, code: int) -> int:
    sys.stderr.write(f"entra-aws credentials: {' '.join(message.split())}\n")
    return code

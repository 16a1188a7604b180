"""Workload federation: the `credential_process` helper (Entra token -> AWS credentials) and the trust doctor.

Kept import-free: `entra-aws credentials` runs before every AWS CLI command and its cache-hit path must not
pay for azure-identity, boto3, argparse or pydantic.
"""

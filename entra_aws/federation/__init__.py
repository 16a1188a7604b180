"""Workload (OIDC) and SAML federation in domain terms: issuers, trust policies, Entra app roles,
AWS profiles.

Pure Python (no CDK): the stacks, the CLI and the tests all use these.
"""

"""entra-aws: Microsoft Entra ID as the single source of identity for AWS.

Kept import-free on purpose: the credential helper's cache-hit path imports this package and must stay fast.
"""

__version__ = "0.1.0"

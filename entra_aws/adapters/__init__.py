"""boto3 lives here and only here: small adapters over sso-admin, identitystore and organizations."""

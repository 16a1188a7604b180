"""CloudTrail-via-EventBridge events: models, the rules' patterns, and routing
of an event to the Scope(s) to reconcile. Pure Python (pydantic only): no boto3, no CDK."""

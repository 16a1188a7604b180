"""CDK stacks and constructs, one concern per module."""

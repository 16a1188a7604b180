"""Lambda handlers of the automation stack. Thin: parse, route, hand a Scope to the engine."""

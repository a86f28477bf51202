"""The decision procedure: rules and findings, policy files, the registry of what plugins contribute, and the engine that resolves answers and decides."""

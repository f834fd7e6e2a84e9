"""Models the engine runs: the registry of model entries, where their weights come from (``weights``),
checking and downloading checkpoints, and the cache of loaded models."""

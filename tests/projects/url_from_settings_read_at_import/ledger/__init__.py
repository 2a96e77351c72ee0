"""Double-entry bookkeeping service."""

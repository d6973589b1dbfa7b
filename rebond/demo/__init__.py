"""A synthetic demo practice. Depends on every app; nothing depends on it."""

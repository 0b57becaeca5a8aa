"""Service-level fixtures live in tests/conftest.py (shared with the state tests)."""

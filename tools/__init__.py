"""Helpers for tests, benchmarks and scripts only (never imported by the app or core)."""

"""Placeholder; rules are added next."""

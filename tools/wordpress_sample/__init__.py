"""Deterministic sample data for a WordPress site (see generate.py) and a tiny WordPress-like API."""

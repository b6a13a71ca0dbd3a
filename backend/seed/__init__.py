"""Deterministic demo data for WaterDesk: `seed_demo()` or `python -m backend.seed`."""

from backend.seed.generator import SeedReport, seed_demo

__all__ = ["SeedReport", "seed_demo"]

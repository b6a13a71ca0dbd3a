"""Shared fixtures: the real district file, and a fresh copy of its raw data to break."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from backend.domain.district import DEFAULT_PATH, District, load_district

_RAW = None


@pytest.fixture(scope="session")
def district() -> District:
    return load_district(DEFAULT_PATH)


@pytest.fixture
def raw_district() -> dict[str, Any]:
    """The district file as plain data; each test gets its own copy to modify."""
    global _RAW
    if _RAW is None:
        _RAW = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    return copy.deepcopy(_RAW)

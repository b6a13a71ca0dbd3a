"""Guards for the house rules of the domain engines."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import pytest

MODULES = ["district", "calendar", "rates", "policy", "highbill", "usage", "i18n", "analytics",
           "assist", "cashier", "leaks"]
DOMAIN_DIR = Path(__file__).resolve().parents[3] / "backend" / "domain"


@pytest.mark.parametrize("name", MODULES)
def test_functions_with_several_arguments_are_keyword_only(name: str) -> None:
    module = importlib.import_module(f"backend.domain.{name}")
    offenders = []
    for attr, obj in vars(module).items():
        func = getattr(obj, "__wrapped__", obj)  # see through lru_cache
        if not inspect.isfunction(func) or func.__module__ != module.__name__:
            continue
        params = list(inspect.signature(func).parameters.values())
        positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        if len(params) > 1 and positional:
            offenders.append(attr)
    assert offenders == []


@pytest.mark.parametrize("name", MODULES)
def test_engines_never_read_the_clock(name: str) -> None:
    source = (DOMAIN_DIR / f"{name}.py").read_text(encoding="utf-8")
    for forbidden in ("date.today(", "datetime.now(", "datetime.today(", "time.time("):
        assert forbidden not in source


@pytest.mark.parametrize("name", MODULES)
def test_no_web_or_database_imports(name: str) -> None:
    source = (DOMAIN_DIR / f"{name}.py").read_text(encoding="utf-8")
    for forbidden in ("fastapi", "sqlmodel", "sqlalchemy", "socketio", "httpx"):
        assert f"import {forbidden}" not in source and f"from {forbidden}" not in source

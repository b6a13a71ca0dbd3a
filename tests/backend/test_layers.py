"""Dependencies point one way: channels (chat, email, REST) -> hub -> crud -> domain, and code
both interpreters share lives in common/. Checked on the source, imports inside functions too."""

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def imports(source: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def offending(folder: str, banned: tuple[str, ...]) -> dict[str, list[str]]:
    found = {}
    for path in sorted((ROOT / folder).rglob("*.py")):
        bad = sorted(n for n in imports(path.read_text())
                     if any(n == b or n.startswith(b + ".") for b in banned))
        if bad:
            found[str(path.relative_to(ROOT))] = bad
    return found


def test_the_scan_sees_imports_inside_functions():
    # As the hub once did: `from backend.email.outbound import queue_rep_reply` in a method.
    source = "class Hub:\n    def f(self):\n        from backend.email.outbound import q\n"
    assert imports(source) == {"backend.email.outbound"}


@pytest.mark.parametrize(("folder", "banned"), [
    # The email channel registers itself with the hub (backend/hub/channels.py).
    ("backend/hub", ("backend.email", "backend.api")),
    ("backend/crud", ("backend.email", "backend.hub", "backend.api")),
    ("backend/domain", ("backend.email", "backend.hub", "backend.api", "backend.crud",
                        "fastapi", "sqlmodel", "sqlalchemy")),
    ("backend", ("actions", "bot")),
    ("actions", ("backend", "bot")),
])
def test_dependencies_point_one_way(folder, banned):
    assert offending(folder, banned) == {}


def test_common_is_standard_library_only():
    allowed = set(sys.stdlib_module_names) | {"common"}
    found = {path.name: sorted(n for n in imports(path.read_text())
                               if n.split(".")[0] not in allowed)
             for path in sorted((ROOT / "common").glob("*.py"))}
    assert {name: bad for name, bad in found.items() if bad} == {}

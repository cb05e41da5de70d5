"""Static determinism check of the workflow code (production runs it unsandboxed; see worker.py).

The SDK sandbox used to catch a clock read, random number, I/O or stray import in workflows/ at run
time. Production now runs workflows without it, so this check keeps those rules in the source:

- workflows/*.py import only from ALLOWED (outside `workflow.unsafe.imports_passed_through()`) or
  PASSED_THROUGH (inside it), and only at module level;
- no clock, random, uuid or I/O call (FORBIDDEN_CALLS, FORBIDDEN_BUILTINS): time comes from
  workflow.now() (or ScaledClock), randomness from workflow.random()/workflow.uuid4();
- no `global`, no mutable module-level or class-level state that code writes: unsandboxed runs of
  different workflows share one module, where the sandbox gave each run its own copy;
- `workflow.unsafe` only for imports_passed_through;
- the domain modules the workflows import (passed through, so never checked by the sandbox either)
  read no clock and no randomness, and reach no file, environment variable, network or database
  and no package whose data can change under a running workflow (chinesecalendar: the holidays a
  workflow counts with travel in its input). READS_BUNDLED_DATA names the exceptions and why.

The workflow tests and the replay test still run every workflow in the SDK sandbox as well.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW_FILES = sorted((ROOT / "workflows").glob("*.py"))

ALLOWED = {"__future__", "asyncio", "collections.abc", "dataclasses", "datetime", "enum",
           "functools", "typing", "temporalio", "temporalio.common", "temporalio.exceptions",
           "temporalio.workflow",
           "temporalio.api.common.v1"}  # Payload, a protobuf message: a queued raw signal payload
PASSED_THROUGH = ("domain", "activities", "workflows")  # activities: method references only
FORBIDDEN_CALLS = {
    ("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"), ("date", "today"),
    ("datetime", "fromtimestamp"), ("date", "fromtimestamp"),
    ("time", "time"), ("time", "monotonic"), ("time", "perf_counter"), ("time", "sleep"),
    ("asyncio", "run"), ("asyncio", "to_thread"), ("asyncio", "new_event_loop"),
    ("asyncio", "get_event_loop"), ("loop", "run_in_executor"),
}
FORBIDDEN_MODULE_USE = {"random", "uuid", "secrets", "os", "sys", "time", "socket", "threading",
                        "subprocess"}
FORBIDDEN_BUILTINS = {"open", "input", "print", "eval", "exec", "__import__", "breakpoint", "hash",
                      "id"}
# An activity is called by method reference (execute_activity_method), so its name, argument and
# result types come from its definition, never from a string that can drift from it.
BY_NAME_CALLS = {"execute_activity", "execute_local_activity", "start_activity",
                 "start_local_activity"}
MUTATORS = {"append", "extend", "insert", "pop", "popitem", "remove", "clear", "update",
            "setdefault", "add", "discard", "sort", "reverse", "__setitem__", "__delitem__"}
MUTABLE_CALLS = {"list", "dict", "set", "defaultdict", "deque", "OrderedDict", "Counter"}


def _is_passthrough_block(node: ast.AST) -> bool:
    return isinstance(node, ast.With) and any(
        isinstance(item.context_expr, ast.Call)
        and ast.unparse(item.context_expr.func) == "workflow.unsafe.imports_passed_through"
        for item in node.items)


def _module_of(node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        return ["workflows"]  # a relative import stays in the package
    return [node.module or ""]


def _mutable(value: ast.AST | None) -> bool:
    if isinstance(value, ast.List | ast.Dict | ast.Set | ast.ListComp | ast.DictComp | ast.SetComp):
        return True
    return (isinstance(value, ast.Call) and isinstance(value.func, ast.Name)
            and value.func.id in MUTABLE_CALLS)


def _targets(node: ast.AST) -> list[ast.expr]:
    if isinstance(node, ast.Assign):
        return node.targets
    if isinstance(node, ast.AnnAssign | ast.AugAssign):
        return [node.target]
    if isinstance(node, ast.Delete):
        return node.targets
    return []


def _root_name(expr: ast.expr) -> str | None:
    while isinstance(expr, ast.Attribute | ast.Subscript):
        expr = expr.value
    return expr.id if isinstance(expr, ast.Name) else None


def _shared_names(tree: ast.Module) -> set[str]:
    """Module-level names, and class-level attributes, bound to a mutable container."""
    shared = set()
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign) and _mutable(node.value):
            shared |= {t.id for t in _targets(node) if isinstance(t, ast.Name)}
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.Assign | ast.AnnAssign) and _mutable(item.value):
                    shared |= {t.id for t in _targets(item) if isinstance(t, ast.Name)}
    return shared


def violations(source: str, name: str = "<workflow>") -> list[str]:
    """What in `source` (a workflows/ module) could make a workflow non-deterministic."""
    tree = ast.parse(source)
    found: list[str] = []

    def at(node: ast.AST, what: str) -> None:
        found.append(f"{name}:{getattr(node, 'lineno', 0)}: {what}")

    top_level_imports: set[int] = set()
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            top_level_imports.add(id(node))
            for module in _module_of(node):
                if module not in ALLOWED:
                    at(node, f"import of {module} outside imports_passed_through()")
        elif _is_passthrough_block(node):
            for inner in node.body:
                if isinstance(inner, ast.Import | ast.ImportFrom):
                    top_level_imports.add(id(inner))
                    for module in _module_of(inner):
                        if module.split(".")[0] not in PASSED_THROUGH:
                            at(inner, f"passed-through import of {module}")

    shared = _shared_names(tree)
    for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
        for item in cls.body:
            if isinstance(item, ast.Assign | ast.AnnAssign) and _mutable(item.value):
                at(item, f"mutable class attribute in {cls.name}, shared by every run")
    class_names = {n.name for n in tree.body if isinstance(n, ast.ClassDef)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom) and id(node) not in top_level_imports:
            at(node, "import at run time")
        elif isinstance(node, ast.Global):
            at(node, f"global {', '.join(node.names)}")
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in FORBIDDEN_BUILTINS:
                at(node, f"call of {func.id}()")
            elif isinstance(func, ast.Attribute):
                owner = func.value
                owner_name = (owner.id if isinstance(owner, ast.Name)
                              else owner.attr if isinstance(owner, ast.Attribute) else None)
                if (owner_name, func.attr) in FORBIDDEN_CALLS:
                    at(node, f"call of {owner_name}.{func.attr}()")
                if func.attr in MUTATORS and _root_name(owner) in shared:
                    at(node, f"{ast.unparse(owner)}.{func.attr}() changes shared state")
                if ast.unparse(owner) == "workflow.unsafe" and func.attr != "imports_passed_through":
                    at(node, f"workflow.unsafe.{func.attr}()")
                if func.attr in BY_NAME_CALLS and node.args and isinstance(node.args[0], ast.Constant):
                    at(node, f"{func.attr}({node.args[0].value!r}): call the activity's method")
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and node.value.id in FORBIDDEN_MODULE_USE:
            at(node, f"use of {node.value.id}.{node.attr}")
        for target in _targets(node):
            if isinstance(target, ast.Subscript | ast.Attribute) and _root_name(target) in shared:
                at(node, f"{ast.unparse(target)} changes shared state")
            if isinstance(target, ast.Name) and target.id in shared \
                    and isinstance(node, ast.AugAssign):
                at(node, f"{target.id} changes shared state")
            if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) \
                    and target.value.id in class_names:
                at(node, f"{ast.unparse(target)} changes class state")
    return found


def _domain_modules_used() -> list[Path]:
    """The domain/ modules workflow code imports, directly or through other domain modules."""
    todo = list(WORKFLOW_FILES)
    seen: set[Path] = set()
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for node in ast.walk(ast.parse(path.read_text())):
            names: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for module in names:
                if module.split(".")[0] == "domain":
                    candidate = ROOT / (module.replace(".", "/") + ".py")
                    if candidate.exists():
                        todo.append(candidate)
    return sorted(p for p in seen if "domain" in p.relative_to(ROOT).parts[:1])


def _named(path: Path) -> str:
    """A domain module's path under domain/, e.g. "shared/calendar.py"."""
    return path.relative_to(ROOT / "domain").as_posix()


def clock_or_random(source: str, name: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            owner_name = (owner.id if isinstance(owner, ast.Name)
                          else owner.attr if isinstance(owner, ast.Attribute) else None)
            if (owner_name, node.func.attr) in FORBIDDEN_CALLS or owner_name in (
                    "random", "uuid", "secrets"):
                found.append(f"{name}:{node.lineno}: {ast.unparse(node.func)}()")
    return found


# Modules that reach outside the process: files, environment, network, databases, and packages
# whose data changes on upgrade.
OUTSIDE_WORLD = {"os", "sys", "io", "pathlib", "shutil", "tempfile", "glob", "socket", "ssl",
                 "subprocess", "urllib", "http", "httpx", "requests", "aiohttp", "smtplib",
                 "aiosmtplib", "twilio", "sqlite3", "sqlalchemy", "sqlmodel", "psycopg", "boto3",
                 "chinese_calendar", "importlib"}
FILE_METHODS = {"read_text", "read_bytes", "write_text", "write_bytes", "open", "getenv", "environ",
                "iterdir", "glob"}
# domain module -> why its file reads cannot change a running workflow.
READS_BUNDLED_DATA = {
    "onboarding/policy.py": "PolicyTable.bundled()/from_file() load the regional tables for the API, which "
                 "resolves the figures into the workflow input; no workflow calls them",
}


def outside_world(source: str, name: str) -> list[str]:
    """File, environment, network or database access in a domain module a workflow imports."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import | ast.ImportFrom):
            for module in _module_of(node):
                if module.split(".")[0] in OUTSIDE_WORLD:
                    found.append(f"{name}:{node.lineno}: import of {module}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id in ("open", "input", "__import__"):
            found.append(f"{name}:{node.lineno}: call of {node.func.id}()")
        elif isinstance(node, ast.Attribute) and node.attr in FILE_METHODS:
            found.append(f"{name}:{node.lineno}: {ast.unparse(node)}")
    return found


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_workflow_module_is_deterministic(path: Path):
    assert violations(path.read_text(), path.name) == []


def test_domain_code_reached_by_workflows_reads_no_clock_or_randomness():
    modules = _domain_modules_used()
    assert any(_named(p) == "onboarding/payloads.py" for p in modules)
    found = [v for p in modules for v in clock_or_random(p.read_text(), f"domain/{_named(p)}")]
    assert found == []


def test_domain_code_reached_by_workflows_reads_no_file_environment_or_network():
    modules = [p for p in _domain_modules_used() if _named(p) not in READS_BUNDLED_DATA]
    assert any(_named(p) == "shared/calendar.py" for p in modules)
    found = [v for p in modules for v in outside_world(p.read_text(), f"domain/{_named(p)}")]
    assert found == []


@pytest.mark.parametrize(("snippet", "expected"), [
    ("import json\nfrom pathlib import Path\nDATA = json.loads(Path('x').read_text())\n",
     "import of pathlib"),
    ("def f(p):\n    return p.read_text()\n", "p.read_text"),
    ("import os\nSCALE = os.environ.get('X')\n", "import of os"),
    ("def f(o):\n    return o.getenv('X')\n", "o.getenv"),
    ("import chinese_calendar\n", "import of chinese_calendar"),
    ("from httpx import get\n", "import of httpx"),
    ("def f():\n    return open('holidays.json')\n", "call of open()"),
])
def test_the_domain_check_catches(snippet: str, expected: str):
    found = outside_world(snippet, "<domain>")
    assert any(expected in v for v in found), found


@pytest.mark.parametrize(("snippet", "expected"), [
    ("from datetime import datetime\ndef f():\n    return datetime.now()\n", "datetime.now()"),
    ("import datetime\ndef f():\n    return datetime.date.today()\n", "date.today()"),
    ("import random\n", "import of random"),
    ("import time\ndef f():\n    time.sleep(1)\n", "import of time"),
    ("def f():\n    import uuid\n", "import at run time"),
    ("def f():\n    open('x').read()\n", "call of open()"),
    ("from temporalio import workflow\nasync def f(r):\n"
     "    await workflow.execute_activity('send_notice', r)\n", "call the activity's method"),
    ("def f(s):\n    return hash(s)\n", "call of hash()"),
    ("SEEN = []\ndef f(x):\n    SEEN.append(x)\n", "SEEN.append() changes shared state"),
    ("CACHE = {}\ndef f(k):\n    CACHE[k] = 1\n", "CACHE[k] changes shared state"),
    ("N = 0\ndef f():\n    global N\n", "global N"),
    ("class W:\n    items = []\n", "mutable class attribute in W"),
    ("class W:\n    n = 0\n    def f(self):\n        W.n += 1\n", "W.n changes class state"),
    ("from temporalio import workflow\ndef f():\n    with workflow.unsafe.sandbox_unrestricted():\n"
     "        pass\n", "workflow.unsafe.sandbox_unrestricted()"),
    ("from temporalio import workflow\nwith workflow.unsafe.imports_passed_through():\n"
     "    import requests\n", "passed-through import of requests"),
])
def test_the_check_catches(snippet: str, expected: str):
    found = violations(snippet)
    assert any(expected in v for v in found), found


def test_the_check_passes_plain_workflow_code():
    source = (
        "from __future__ import annotations\n"
        "import asyncio\n"
        "from datetime import timedelta\n"
        "from temporalio import workflow\n"
        "with workflow.unsafe.imports_passed_through():\n"
        "    from domain.onboarding import Event\n"
        "LEAD = timedelta(days=3)\n"
        "@workflow.defn\n"
        "class W:\n"
        "    def __init__(self) -> None:\n"
        "        self._events: list[Event] = []\n"
        "    @workflow.run\n"
        "    async def run(self) -> None:\n"
        "        self._events.append(workflow.now())\n"
        "        await asyncio.sleep(LEAD.total_seconds())\n"
    )
    assert violations(source) == []

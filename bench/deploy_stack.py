"""deploy/stack.py loaded as a module: a script of the standard library only (it runs before the virtualenv
exists), not a package, so the benchmarks that drive the stack or reuse its nginx setup load it from its path."""

from __future__ import annotations

import importlib.util
from pathlib import Path

STACK_SCRIPT = Path(__file__).resolve().parent.parent / "deploy" / "stack.py"


def load():
    spec = importlib.util.spec_from_file_location("stack", STACK_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module

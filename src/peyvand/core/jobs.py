"""Work for the worker, asked for by name.

A service that needs a job run later (send this message, run this import) names it; the
app's ``tasks`` module defines the Huey task and registers it under that name. So a service
never imports its app's tasks, which import the services: the two would form a circle.
Each app's hooks import its tasks, so the names are known in every process.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_JOBS: dict[str, Callable[..., Any]] = {}


def register(name: str, task: Callable[..., Any]) -> None:
    _JOBS[name] = task


def enqueue(name: str, *args: Any) -> Any:
    """Queue the job (Huey runs it at once in tests: ``immediate`` mode)."""
    try:
        task = _JOBS[name]
    except KeyError:
        raise LookupError(f"no job registered as {name!r}") from None
    return task(*args)

"""Casework's integration tests still import `running` from here; the one definition is in
tests/kit/apps.py (casework's tests move to it with casework's own restructuring)."""

from tests.kit.apps import running

__all__ = ["running"]

"""Why a command was refused: the stage does not allow it, or a casework rule forbids it."""

from __future__ import annotations

from shared.events import Stage


class CaseworkError(Exception):
    """Base for every refusal; the case is left exactly as it was."""


# The names are the domain's vocabulary (shared with the API docs), so no "Error" suffix.
class ActionNotAllowed(CaseworkError):  # noqa: N818
    """The action is not available to this actor in the case's current stage (HTTP 409)."""

    def __init__(self, action: str, stage: Stage, allowed: list[str]) -> None:
        self.action = action
        self.stage = stage
        self.allowed = allowed
        super().__init__(
            f"'{action}' is not allowed while the case is in '{stage}'; "
            f"allowed now: {', '.join(allowed) or 'none'}"
        )


class DomainRuleBroken(CaseworkError):  # noqa: N818
    """The action is available in this stage, but a casework rule refuses it (HTTP 422)."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)

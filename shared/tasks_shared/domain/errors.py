"""Typed domain errors. The API maps each type to a status code in one place; nothing matches on text."""


class DomainError(Exception):
    """Base class: `code` is the stable, machine-readable part of the error body."""

    code = "ERROR"

    def __init__(self, message: str, details: list[dict] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []


class ValidationFailed(DomainError):
    """The request is well-formed JSON but breaks the contract; `details` name the fields."""

    code = "VALIDATION_FAILED"


class TaskNotFound(DomainError):
    """The task does not exist, or the caller may not see it (the two are indistinguishable on purpose)."""

    code = "TASK_NOT_FOUND"

    def __init__(self, task_id: str) -> None:
        super().__init__(f"task {task_id} not found")


class NotAllowed(DomainError):
    """The caller may see the task (or the collection) but not do this to it."""

    code = "FORBIDDEN"


class VersionConflict(DomainError):
    """Another writer committed first; the caller should re-read and retry."""

    code = "VERSION_CONFLICT"


class PreconditionFailed(DomainError):
    """The caller's If-Match names a version that is no longer current."""

    code = "PRECONDITION_FAILED"


class PreconditionRequired(DomainError):
    """The write must name the version it is based on (If-Match) and did not (RFC 6585 §3)."""

    code = "PRECONDITION_REQUIRED"


class InvalidTransition(DomainError):
    """The change breaks a status or approval rule."""

    code = "INVALID_TRANSITION"


class InvalidPageToken(DomainError):
    """A nextToken that this service did not issue for this very query."""

    code = "INVALID_PAGE_TOKEN"


class NotAwaitingApproval(DomainError):
    """A decision on a task that awaits none: never requested, decided already (another approver's claim
    came first), withdrawn, expired, or still being opened by the workflow."""

    code = "NOT_AWAITING_APPROVAL"


class ApprovalRequestEnded(NotAwaitingApproval):
    """Step Functions says the request had ended (timed out, or gone) when the decision reached it."""

    code = "APPROVAL_REQUEST_ENDED"


class ApprovalRequestChanged(DomainError):
    """The approval request moved between the read and the write (the workflow opened it, or an approver
    claimed a decision): the change was not made; read the task again."""

    code = "APPROVAL_REQUEST_CHANGED"

"""The API's own errors (refusals at the HTTP level) and the one table from error type to status code."""

from tasks_shared.domain import errors


class HttpError(Exception):
    """A request refused before the domain sees it (token, size, media type, syntax): no domain rule."""

    code = "BAD_REQUEST"

    def __init__(self, message: str, details: list[dict] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []


class Unauthorized(HttpError):
    code = "UNAUTHORIZED"


class PayloadTooLarge(HttpError):
    code = "PAYLOAD_TOO_LARGE"


class UnsupportedMediaType(HttpError):
    code = "UNSUPPORTED_MEDIA_TYPE"


class MalformedJson(HttpError):
    code = "MALFORMED_JSON"


# Looked up along the error's class hierarchy: a subclass answers with its parent's status, and the two
# base classes catch whatever has no closer entry, so a refusal never becomes a 500.
STATUS_BY_ERROR: dict[type[Exception], int] = {
    HttpError: 400,
    errors.DomainError: 400,
    MalformedJson: 400,
    errors.ValidationFailed: 400,
    errors.InvalidPageToken: 400,
    Unauthorized: 401,
    errors.NotAllowed: 403,
    errors.TaskNotFound: 404,
    errors.VersionConflict: 409,
    errors.InvalidTransition: 409,
    errors.NotAwaitingApproval: 409,
    errors.ApprovalRequestChanged: 409,
    errors.PreconditionFailed: 412,
    errors.PreconditionRequired: 428,
    PayloadTooLarge: 413,
    UnsupportedMediaType: 415,
}
REFUSALS = (errors.DomainError, HttpError)


def mapped_type(error_type: type[Exception]) -> type[Exception]:
    """The nearest class in error_type's hierarchy that has a status (a base class at worst)."""
    return next(cls for cls in error_type.__mro__ if cls in STATUS_BY_ERROR)


def status_of(error: errors.DomainError | HttpError) -> int:
    return STATUS_BY_ERROR[mapped_type(type(error))]

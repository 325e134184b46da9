"""The codes of the error body (`{"message", "code", "details"}`) are what a client acts on, so each is
written down here: a class attribute is module-level, which mutation testing cannot change, and this is
what fails if one of them changes."""

import pytest

from tasks_api.errors import HttpError, MalformedJson, PayloadTooLarge, Unauthorized, UnsupportedMediaType
from tasks_shared.domain import errors

CODES = {
    errors.DomainError: "ERROR",
    errors.ValidationFailed: "VALIDATION_FAILED",
    errors.TaskNotFound: "TASK_NOT_FOUND",
    errors.NotAllowed: "FORBIDDEN",
    errors.VersionConflict: "VERSION_CONFLICT",
    errors.PreconditionFailed: "PRECONDITION_FAILED",
    errors.PreconditionRequired: "PRECONDITION_REQUIRED",
    errors.InvalidTransition: "INVALID_TRANSITION",
    errors.InvalidPageToken: "INVALID_PAGE_TOKEN",
    errors.NotAwaitingApproval: "NOT_AWAITING_APPROVAL",
    errors.ApprovalRequestEnded: "APPROVAL_REQUEST_ENDED",
    errors.ApprovalRequestChanged: "APPROVAL_REQUEST_CHANGED",
    HttpError: "BAD_REQUEST",
    Unauthorized: "UNAUTHORIZED",
    PayloadTooLarge: "PAYLOAD_TOO_LARGE",
    UnsupportedMediaType: "UNSUPPORTED_MEDIA_TYPE",
    MalformedJson: "MALFORMED_JSON",
}


@pytest.mark.parametrize(("error", "code"), CODES.items(), ids=[error.__name__ for error in CODES])
def test_each_refusal_keeps_its_code(error, code):
    """VERSION_CONFLICT and PRECONDITION_FAILED among them, which no test asserted before (issue 21)."""
    assert error.code == code


def _subclasses(cls: type) -> set[type]:
    return {sub for direct in cls.__subclasses__() for sub in {direct, *_subclasses(direct)}}


def test_every_refusal_of_ours_has_its_code_written_down_here():
    ours = {
        error
        for base in (errors.DomainError, HttpError)
        for error in {base, *_subclasses(base)}
        if error.__module__.split(".")[0] in {"tasks_shared", "tasks_api"}
    }
    assert ours - CODES.keys() == set()


def test_no_two_refusals_share_a_code():
    assert len(set(CODES.values())) == len(CODES)


def test_a_missing_task_is_named_in_its_refusal():
    assert errors.TaskNotFound("task-0042").message == "task task-0042 not found"


@pytest.mark.parametrize("details", [None, []], ids=["none", "empty"])
def test_a_refusal_without_details_has_an_empty_list_of_them(details):
    """The error body's `details` is always a list (schemas/error.json)."""
    assert errors.ValidationFailed("bad", details).details == []

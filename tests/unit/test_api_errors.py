"""The API's error → status table: every refusal has a contract status, and a new error type never
becomes a 500, whether or not someone remembered to add it to the table."""

import importlib
import pkgutil

import pytest

import tasks_api
from tasks_api.errors import (
    REFUSALS,
    STATUS_BY_ERROR,
    HttpError,
    MalformedJson,
    PayloadTooLarge,
    Unauthorized,
    UnsupportedMediaType,
    mapped_type,
)
from tasks_api.handler import handle
from tasks_local.runtime.functions import LambdaContext
from tasks_shared.domain import errors
from tasks_shared.domain.errors import DomainError
from tests.support.samples import api_event

# The contract's status of each refusal (docs/design.md §3), entry by entry: STATUS_BY_ERROR is
# module-level, so mutation testing cannot change it; this is what fails if one of its entries changes.
CONTRACT_STATUS = {
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


@pytest.mark.parametrize(
    ("error", "status"),
    [*CONTRACT_STATUS.items(), (errors.ApprovalRequestEnded, 409)],
    ids=[error.__name__ for error in [*CONTRACT_STATUS, errors.ApprovalRequestEnded]],
)
def test_each_error_maps_to_its_contract_status(error, status):
    assert STATUS_BY_ERROR[mapped_type(error)] == status


def test_the_status_table_holds_the_contracts_entries_and_no_other():
    assert STATUS_BY_ERROR == CONTRACT_STATUS


@pytest.mark.parametrize("error", [Unauthorized, PayloadTooLarge, UnsupportedMediaType, MalformedJson])
def test_http_errors_are_not_domain_errors(error):
    assert issubclass(error, HttpError)
    assert not issubclass(error, DomainError)


def _subclasses(cls: type) -> set[type]:
    return {sub for direct in cls.__subclasses__() for sub in {direct, *_subclasses(direct)}}


def test_every_error_the_api_can_meet_has_a_status_chosen_for_it():
    """Each error type of the API or the domain it imports is in the table, or derives from one that is:
    the base classes' catch-all 400 is a safety net, not a choice, so a new direct subclass fails here
    until someone maps it."""
    for module in pkgutil.walk_packages(tasks_api.__path__, "tasks_api."):
        importlib.import_module(module.name)  # and with them every domain module the API uses
    ours = {
        error
        for base in REFUSALS
        for error in _subclasses(base)
        if error.__module__.split(".")[0] in {"tasks_shared", "tasks_api"}
    }

    assert ours, "no error types found: the enumeration is broken"
    assert [error.__name__ for error in ours if mapped_type(error) in REFUSALS] == []


def _get_task_raising(error: Exception) -> dict:
    class Raising:
        def get(self, *_args, **_kwargs):
            raise error

    return handle(api_event("get-task", task_id="task-1"), LambdaContext("tasks-api"), Raising())


def test_a_new_subclass_answers_with_its_parents_status():
    class TaskLocked(errors.VersionConflict):
        code = "TASK_LOCKED"

    result = _get_task_raising(TaskLocked("someone holds the task"))

    assert (result["statusCode"], '"code":"TASK_LOCKED"' in result["body"]) == (409, True)


@pytest.mark.parametrize("base", [DomainError, HttpError])
def test_a_refusal_missing_from_the_table_is_a_400_not_a_500(base):
    class Unmapped(base):
        code = "UNMAPPED"

    assert _get_task_raising(Unmapped("a rule nobody mapped"))["statusCode"] == 400

"""The schemas accept and refuse what they did, in the same words: every document of the recorded corpus
(tests/contract/validation-verdicts.json) gets the verdict recorded from the schemas of the commit it
names. A change to how the schemas are written (named components for the OpenAPI document, issue 20)
must leave what the API accepts, the details of its 400s and the event catalog's problems as they were."""

from collections import Counter

import pytest

from tests.support.validation_corpus import Verdicts, differences, recorded

CASES = recorded()["cases"]


def test_the_corpus_covers_every_request_schema_and_event_both_accepted_and_refused():
    kinds = Counter((case["schema"], case["verdict"] is None) for case in CASES)
    schemas = {schema for schema, _ in kinds}
    assert all(kinds[schema, True] and kinds[schema, False] for schema in schemas - {"no-query.json"})
    assert {"task-create.json", "task-update.json", "approval-decision.json", "list-query.json"} <= schemas
    assert {"TaskCreated.json", "TaskUpdated.json", "TaskCompleted.json", "TaskDeleted.json"} <= schemas


@pytest.mark.parametrize("schema", sorted({case["schema"] for case in CASES}))
def test_every_document_gets_the_recorded_verdict(schema):
    # Given the recorded documents validated against this schema
    cases = [case for case in CASES if case["schema"] == schema]

    # When today's schemas judge them, Then each verdict (accepted, or the very same refusal) is unchanged
    assert differences(Verdicts.now(), cases) == []

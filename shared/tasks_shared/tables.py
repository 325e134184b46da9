"""The one table definition (definitions/tables.json), read by the code, the local stack and Terraform
(infra/modules/definitions)."""

import json
from functools import cache
from importlib import resources
from typing import Any

_API_KEYS = ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes", "StreamSpecification")


@cache
def definitions() -> dict[str, dict[str, Any]]:
    """Logical table key ("tasks", "views", "activity") -> its definition."""
    text = resources.files(__package__).joinpath("definitions/tables.json").read_text()
    return json.loads(text)["tables"]


def physical_name(prefix: str, key: str) -> str:
    """`<env>-tasks-<key>`, the naming rule Terraform shares."""
    return f"{prefix}-{key}"


def create_table_request(key: str, table_name: str) -> dict[str, Any]:
    """Keyword arguments for DynamoDB CreateTable, taken verbatim from the definition."""
    definition = definitions()[key]
    request = {name: definition[name] for name in _API_KEYS if name in definition}
    return {"TableName": table_name, "BillingMode": "PAY_PER_REQUEST", **request}

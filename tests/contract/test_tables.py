"""The single table definition serves every key and index the code relies on."""

from tasks_shared.adapters.dynamodb.views import LIST_INDEXES
from tasks_shared.tables import create_table_request, definitions


def _key_names(key_schema):
    return [element["AttributeName"] for element in key_schema]


def test_every_index_the_repository_queries_exists_with_its_partition_key():
    views = definitions()["views"]
    indexes = {
        index["IndexName"]: _key_names(index["KeySchema"]) for index in views["GlobalSecondaryIndexes"]
    }
    for index, partition in LIST_INDEXES.values():
        keys = _key_names(views["KeySchema"]) if index is None else indexes[index]
        assert keys == [partition, "sk"]


def test_every_key_attribute_is_declared_and_every_declared_attribute_is_a_key():
    for name, table in definitions().items():
        declared = {attribute["AttributeName"] for attribute in table["AttributeDefinitions"]}
        schemas = [
            table["KeySchema"],
            *(index["KeySchema"] for index in table.get("GlobalSecondaryIndexes", [])),
        ]
        used = {key for schema in schemas for key in _key_names(schema)}
        assert declared == used, name


def test_the_tasks_table_streams_new_and_old_images():
    stream = definitions()["tasks"]["StreamSpecification"]
    assert stream == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}


def test_every_table_has_a_ttl_attribute_and_an_env_name():
    for table in definitions().values():
        assert table["TimeToLive"]["AttributeName"] == "expiresAt"
        assert table["env"].endswith("_TABLE")


def test_create_table_request_is_exactly_the_definition(aws):
    for key in definitions():
        request = create_table_request(key, f"contract-{key}")
        description = aws.create_table(**request)["TableDescription"]
        assert description["KeySchema"] == definitions()[key]["KeySchema"]

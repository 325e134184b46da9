"""The tasks REST API function (API Gateway HTTP API, payload 2.0)."""

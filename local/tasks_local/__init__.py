"""The local runtime behind `make dev`: moto as AWS, an API Gateway stand-in, Lambda's glue."""

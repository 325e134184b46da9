"""The domain: the task, its rules, who may list what, paging, activity records and events. No AWS here:
nothing in this package imports boto3 or botocore (a test holds it)."""

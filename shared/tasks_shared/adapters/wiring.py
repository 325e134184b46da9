"""The real adapters a function needs, built from its settings (clients created by the caller's
`functools.cache`, once per container, after moto starts in tests)."""

import boto3

from tasks_shared.adapters.dynamodb.activity import DynamoDBActivity
from tasks_shared.adapters.sns import AssignmentNotifier
from tasks_shared.adapters.sqs import DeadLetters
from tasks_shared.usecases.consumer import NotifyingDependencies


def notifying_dependencies(activity_table: str, topic_arn: str) -> NotifyingDependencies:
    return NotifyingDependencies(
        activity=DynamoDBActivity(boto3.client("dynamodb"), activity_table),
        notifier=AssignmentNotifier(boto3.client("sns"), topic_arn),
        dead_letters=DeadLetters(boto3.client("sqs")),
    )

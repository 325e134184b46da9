"""SNS: telling an assignee about a task."""

import json
from typing import Any

from tasks_shared.domain.model import Task


class AssignmentNotifier:
    """Tells an assignee about a task (SNS, attribute `recipient` for subscription filters).

    The message carries public fields only. Publishing is at least once: a retried event may notify twice.
    """

    def __init__(self, sns_client: Any, topic_arn: str) -> None:
        self._sns = sns_client
        self._topic_arn = topic_arn

    def notify(self, task: Task) -> None:
        if not task.assignee:
            raise ValueError(f"task {task.id} has no assignee to notify")
        message = {
            "type": "TaskAssigned",
            "taskId": task.id,
            "title": task.title,
            "assignee": task.assignee,
            "ownerId": task.owner_id,
        }
        self._sns.publish(
            TopicArn=self._topic_arn,
            Message=json.dumps(message),
            MessageAttributes={"recipient": {"DataType": "String", "StringValue": task.assignee}},
        )

"""The task-completed consumer (SQS ← EventBridge)."""

"""The task-created consumer (SQS ← EventBridge)."""

"""The task-updated consumer (SQS ← EventBridge)."""

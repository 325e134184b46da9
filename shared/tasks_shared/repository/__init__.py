"""Task persistence behind one interface, with an in-memory and a DynamoDB implementation."""

from tasks_shared.repository.base import TaskRepository

__all__ = ["TaskRepository"]

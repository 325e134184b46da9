"""Application services: the use cases, written against the ports (usecases.ports), not against AWS."""

"""Application services: the use cases, written against the ports (services.ports), not against AWS."""

"""One adapter per AWS service the shared code talks to, each behind a small interface (the `Protocol`s
in tasks_shared.usecases.ports), with in-memory fakes for unit tests (adapters.memory)."""

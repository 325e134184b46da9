"""The listing indexer: the tasks table's stream → the views table."""

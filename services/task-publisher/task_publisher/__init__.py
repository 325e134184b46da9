"""The stream publisher: committed changes on the tasks table become domain events on the bus."""

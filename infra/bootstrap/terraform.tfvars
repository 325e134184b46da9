region     = "eu-west-1"
repository = "example-org/tasks-platform" # your fork: owner/name on GitHub

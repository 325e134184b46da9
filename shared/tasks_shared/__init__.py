"""Code shared by the task platform's functions: domain, repositories, config, tables."""

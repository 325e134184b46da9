"""DynamoDB: the tasks table, its listing views and the activity table."""

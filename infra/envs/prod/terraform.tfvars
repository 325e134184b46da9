env                           = "prod"
region                        = "eu-west-1"
cost_center                   = "tasks-prod"
deletion_protection           = true
log_retention_days            = 365
retention_days                = 90
approval_timeout_seconds      = 259200 # 72 h
consumer_reserved_concurrency = 20
api_throttling                = { rate_limit = 200, burst_limit = 400 }
traffic_shifting              = { type = "linear", percentage = 10, interval_minutes = 1 } # 10 % a minute: 10 minutes
# Everything, unchanged (docs/cost.md); traced enough to debug: Lambda's own rate (the first request a
# second, 5 % of the rest) and the workflow at the same.
profile = { customer_managed_keys = true, dashboard = true, alarms = "all", custom_metrics = true }
tracing = { lambda_mode = "Active", reservoir_per_second = 1, fixed_rate = 0.05 }
# alarm_email             = "oncall@example.com"
# external_publisher_arns = ["arn:aws:iam::111122223333:role/billing-publisher"]

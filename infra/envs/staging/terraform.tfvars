env                           = "staging"
region                        = "eu-west-1"
cost_center                   = "tasks-staging"
deletion_protection           = false
log_retention_days            = 30
retention_days                = 90
approval_timeout_seconds      = 259200 # 72 h, as in prod
consumer_reserved_concurrency = 5
api_throttling                = { rate_limit = 50, burst_limit = 100 }
traffic_shifting              = { type = "canary", percentage = 10, interval_minutes = 5 }
# As prod, so every release rehearses prod's keys, grants and alarms (docs/cost.md); traced little.
profile = { customer_managed_keys = true, dashboard = true, alarms = "all", custom_metrics = true }
tracing = { lambda_mode = "PassThrough", reservoir_per_second = 0, fixed_rate = 0.05 }

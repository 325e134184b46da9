env                      = "dev"
region                   = "eu-west-1"
cost_center              = "tasks-dev"
deletion_protection      = false
log_retention_days       = 14
retention_days           = 30
approval_timeout_seconds = 3600 # an hour: approvals are tried by hand in dev
# A new account's concurrency limit is 10, which leaves nothing to reserve; set a number once raised.
consumer_reserved_concurrency = null
api_throttling                = { rate_limit = 20, burst_limit = 40 }
traffic_shifting              = { type = "all_at_once" } # dev: no waiting; the alarms still roll back
# A cheap environment (docs/cost.md): keys AWS holds instead of ours wherever they serve (all but the
# topics'), no dashboard, only the alarms that roll a deployment back, no custom metrics (nothing in dev
# reads them); functions traced only when a caller sampled the request (none does: the HTTP API has no
# tracing), the workflow 5 % of the time.
profile = { customer_managed_keys = false, dashboard = false, alarms = "rollback", custom_metrics = false }
tracing = { lambda_mode = "PassThrough", reservoir_per_second = 0, fixed_rate = 0.05 }

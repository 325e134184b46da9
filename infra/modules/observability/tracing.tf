# The environment's X-Ray sampling rule: the services named <env>-tasks-* that take their sampling from
# X-Ray's rules follow it (the approval workflow; API Gateway's REST APIs would, our HTTP API has no
# tracing). Lambda does not: an Active function samples the first request a second and 5 % of the rest
# whatever the rules say, so the functions' share is set by their tracing mode (modules/function).
resource "aws_xray_sampling_rule" "this" {
  rule_name      = var.prefix
  priority       = 1000
  reservoir_size = var.sampling.reservoir_per_second
  fixed_rate     = var.sampling.fixed_rate
  service_name   = "${var.prefix}-*"
  service_type   = "*"
  resource_arn   = "*"
  host           = "*"
  http_method    = "*"
  url_path       = "*"
  version        = 1
}

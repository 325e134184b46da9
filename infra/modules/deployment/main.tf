# CodeDeploy moves each function's `live` alias to the version Terraform just published, a share of
# the traffic at a time (canary or linear, from var.traffic_shifting), and moves it back by itself
# when one of the function's alarms fires during the shift. Terraform publishes versions and leaves
# the alias to CodeDeploy (modules/function ignores its version); `make deploy` starts the
# deployments (ops/tasks_ops/traffic.py): one per function whose alias lags its latest version.
resource "aws_codedeploy_app" "this" {
  name             = var.prefix
  compute_platform = "Lambda"
}

resource "aws_codedeploy_deployment_config" "this" {
  deployment_config_name = "${var.prefix}-${var.traffic_shifting.type}"
  compute_platform       = "Lambda"

  traffic_routing_config {
    type = local.routing_types[var.traffic_shifting.type]

    dynamic "time_based_canary" {
      for_each = var.traffic_shifting.type == "canary" ? [var.traffic_shifting] : []
      content {
        percentage = time_based_canary.value.percentage
        interval   = time_based_canary.value.interval_minutes
      }
    }

    dynamic "time_based_linear" {
      for_each = var.traffic_shifting.type == "linear" ? [var.traffic_shifting] : []
      content {
        percentage = time_based_linear.value.percentage
        interval   = time_based_linear.value.interval_minutes
      }
    }
  }
}

locals {
  routing_types = { canary = "TimeBasedCanary", linear = "TimeBasedLinear", all_at_once = "AllAtOnce" }
}

# One group per function, named like the function; release.py relies on both names.
resource "aws_codedeploy_deployment_group" "this" {
  for_each               = var.function_names
  app_name               = aws_codedeploy_app.this.name
  deployment_group_name  = each.value
  service_role_arn       = module.role.role_arn
  deployment_config_name = aws_codedeploy_deployment_config.this.deployment_config_name

  deployment_style {
    deployment_type   = "BLUE_GREEN"
    deployment_option = "WITH_TRAFFIC_CONTROL"
  }

  alarm_configuration {
    enabled = true
    alarms  = var.alarm_names[each.key]
  }

  auto_rollback_configuration {
    enabled = true
    events  = ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM", "DEPLOYMENT_STOP_ON_REQUEST"]
  }
}

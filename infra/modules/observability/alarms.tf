# One signal per alarm, all to the alarm topic; the dashboard shows the same signals.
#
# With var.alarms = "rollback" (dev) only the alarms CodeDeploy watches remain (each function's errors,
# a stream reader's iterator age, the API's 5xx and p99 latency: output function_alarm_names): they are
# what stops a bad version. Throttles, dead letters and failed executions page someone in prod and
# staging; in dev the developer deploying reads them in the console.
locals {
  period = 300
  every  = var.alarms == "all"
  function_alarms = merge([
    for name, function_name in var.function_names : merge(
      { "${name}-errors" = { metric = "Errors", function = function_name, threshold = 0 } },
      local.every ? { "${name}-throttles" = { metric = "Throttles", function = function_name, threshold = 0 } } : {},
    )
  ]...)
  execution_alarms = merge([
    for name, arn in var.state_machine_arns : {
      "${name}-failed"    = { metric = "ExecutionsFailed", arn = arn }
      "${name}-timed-out" = { metric = "ExecutionsTimedOut", arn = arn }
    } if local.every
  ]...)
  alarm_actions = [aws_sns_topic.alarms.arn]
}

resource "aws_cloudwatch_metric_alarm" "function" {
  for_each            = local.function_alarms
  alarm_name          = "${var.prefix}-${each.key}"
  namespace           = "AWS/Lambda"
  metric_name         = each.value.metric
  dimensions          = { FunctionName = each.value.function }
  statistic           = "Sum"
  period              = local.period
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = each.value.threshold
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "dead_letters" {
  for_each            = local.every ? var.dead_letter_queues : {}
  alarm_name          = "${var.prefix}-${each.key}-not-empty"
  alarm_description   = "Work waits in ${each.value}: read why (make queues shows it locally), fix, redrive."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = each.value }
  statistic           = "Maximum"
  period              = local.period
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "iterator_age" {
  for_each            = var.stream_function_names
  alarm_name          = "${var.prefix}-${each.key}-iterator-age"
  alarm_description   = "The stream reader falls behind: events and lists lag the table."
  namespace           = "AWS/Lambda"
  metric_name         = "IteratorAge"
  dimensions          = { FunctionName = each.value }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 5
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.thresholds.iterator_age_ms
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "executions" {
  for_each            = local.execution_alarms
  alarm_name          = "${var.prefix}-${each.key}"
  namespace           = "AWS/States"
  metric_name         = each.value.metric
  dimensions          = { StateMachineArn = each.value.arn }
  statistic           = "Sum"
  period              = local.period
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "api_5xx" {
  alarm_name          = "${var.prefix}-api-5xx"
  namespace           = "AWS/ApiGateway"
  metric_name         = "5xx"
  dimensions          = { ApiId = var.api_id, Stage = var.api_stage }
  statistic           = "Sum"
  period              = local.period
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.thresholds.api_5xx_per_5_min
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "api_latency" {
  alarm_name          = "${var.prefix}-api-p99-latency"
  namespace           = "AWS/ApiGateway"
  metric_name         = "Latency"
  dimensions          = { ApiId = var.api_id, Stage = var.api_stage }
  extended_statistic  = "p99"
  period              = local.period
  evaluation_periods  = 3
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.thresholds.api_p99_ms
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

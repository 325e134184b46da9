data "aws_region" "current" {}

locals {
  region = data.aws_region.current.region
  widgets = [
    {
      title   = "Function errors and throttles"
      metrics = flatten([for name in values(var.function_names) : [["AWS/Lambda", "Errors", "FunctionName", name], ["AWS/Lambda", "Throttles", "FunctionName", name]]])
      stat    = "Sum"
    },
    {
      title   = "Dead letters waiting"
      metrics = [for name in values(var.dead_letter_queues) : ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", name]]
      stat    = "Maximum"
    },
    {
      title   = "Stream iterator age (ms)"
      metrics = [for name in values(var.stream_function_names) : ["AWS/Lambda", "IteratorAge", "FunctionName", name]]
      stat    = "Maximum"
    },
    {
      title   = "Approval executions failed and timed out"
      metrics = flatten([for arn in values(var.state_machine_arns) : [["AWS/States", "ExecutionsFailed", "StateMachineArn", arn], ["AWS/States", "ExecutionsTimedOut", "StateMachineArn", arn]]])
      stat    = "Sum"
    },
    {
      title   = "API 5xx"
      metrics = [["AWS/ApiGateway", "5xx", "ApiId", var.api_id, "Stage", var.api_stage]]
      stat    = "Sum"
    },
    {
      title   = "API latency p99 (ms)"
      metrics = [["AWS/ApiGateway", "Latency", "ApiId", var.api_id, "Stage", var.api_stage]]
      stat    = "p99"
    },
  ]
}

resource "aws_cloudwatch_dashboard" "this" {
  count          = var.dashboard ? 1 : 0
  dashboard_name = var.prefix
  dashboard_body = jsonencode({
    widgets = [
      for index, widget in local.widgets : {
        type   = "metric"
        x      = (index % 2) * 12
        y      = floor(index / 2) * 6
        width  = 12
        height = 6
        properties = {
          title   = widget.title
          metrics = widget.metrics
          stat    = widget.stat
          period  = 300
          region  = local.region
          view    = "timeSeries"
        }
      }
    ]
  })
}

# The dashboard was one resource before environments could go without it.
moved {
  from = aws_cloudwatch_dashboard.this
  to   = aws_cloudwatch_dashboard.this[0]
}

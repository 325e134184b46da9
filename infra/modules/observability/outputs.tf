output "alarm_topic_arn" {
  description = "ARN of the topic every alarm notifies."
  value       = aws_sns_topic.alarms.arn
}

output "function_alarm_names" {
  description = "Per function (manifest name): the alarms that roll back a traffic shift to its new version (errors; iterator age for a stream reader; the API's 5xx and p99 latency for an API function). Throttles are left out: they come from concurrency limits, not from the new code."
  value = {
    for name in keys(var.function_names) : name => concat(
      [aws_cloudwatch_metric_alarm.function["${name}-errors"].alarm_name],
      [for key, alarm in aws_cloudwatch_metric_alarm.iterator_age : alarm.alarm_name if key == name],
      contains(var.api_functions, name) ? [aws_cloudwatch_metric_alarm.api_5xx.alarm_name, aws_cloudwatch_metric_alarm.api_latency.alarm_name] : [],
    )
  }
}

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard (null where the environment keeps none)."
  value       = one(aws_cloudwatch_dashboard.this[*].dashboard_name)
}

resource "aws_cloudwatch_event_bus" "this" {
  name = "${var.prefix}-bus"
}

resource "aws_cloudwatch_event_archive" "this" {
  name             = "${var.prefix}-${var.archive.name}"
  description      = var.archive.description
  event_source_arn = aws_cloudwatch_event_bus.this.arn
  retention_days   = var.archive.retentionDays
}

resource "aws_cloudwatch_event_rule" "this" {
  for_each       = var.rules
  name           = "${var.prefix}-${each.key}"
  description    = each.value.description
  event_bus_name = aws_cloudwatch_event_bus.this.name
  event_pattern  = each.value.event_pattern
}

# A state machine target starts an execution with the event as its input. EventBridge has no
# execution name parameter (rules nor Pipes), so the rule's executionName is a local-runtime name
# only: in AWS a second start for the same request ends at the ASL's conditional write.
resource "aws_cloudwatch_event_target" "this" {
  for_each       = var.rules
  rule           = aws_cloudwatch_event_rule.this[each.key].name
  event_bus_name = aws_cloudwatch_event_bus.this.name
  target_id      = "target"
  arn            = each.value.queue != null ? var.queue_arns[each.value.queue] : var.state_machine_arns[each.value.state_machine]
  role_arn       = each.value.state_machine != null ? module.role.role_arn : null

  retry_policy {
    maximum_event_age_in_seconds = var.target_retry.maximum_event_age_in_seconds
    maximum_retry_attempts       = var.target_retry.maximum_retry_attempts
  }

  dead_letter_config {
    arn = var.dead_letter_arn
  }
}

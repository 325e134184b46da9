output "bus_name" {
  description = "Name of the bus."
  value       = aws_cloudwatch_event_bus.this.name
}

output "bus_arn" {
  description = "ARN of the bus."
  value       = aws_cloudwatch_event_bus.this.arn
}

output "rule_arns" {
  description = "ARN per rule name."
  value       = { for name, rule in aws_cloudwatch_event_rule.this : name => rule.arn }
}

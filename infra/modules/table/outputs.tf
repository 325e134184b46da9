output "table_arn" {
  description = "ARN of the table."
  value       = aws_dynamodb_table.this.arn
}

output "table_name" {
  description = "Name of the table."
  value       = aws_dynamodb_table.this.name
}

output "stream_arn" {
  description = "ARN of the table's stream (empty when it has none)."
  value       = aws_dynamodb_table.this.stream_arn
}

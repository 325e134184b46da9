output "function_name" {
  description = "Name of the function."
  value       = aws_lambda_function.this.function_name
}

output "alias_arn" {
  description = "ARN of the `live` alias, which every trigger invokes."
  value       = aws_lambda_alias.live.arn
}

output "alias_invoke_arn" {
  description = "Invoke ARN of the `live` alias, for API Gateway integrations."
  value       = aws_lambda_alias.live.invoke_arn
}

output "role_arn" {
  description = "ARN of the function's role."
  value       = aws_iam_role.this.arn
}

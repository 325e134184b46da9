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

output "version" {
  description = "The latest version published (the one CodeDeploy shifts `live` to)."
  value       = aws_lambda_function.this.version
}

output "role_arn" {
  description = "ARN of the function's role."
  value       = module.role.role_arn
}

output "api_url" {
  description = "Base URL of the API."
  value       = module.stack.api_url
}

output "web_url" {
  description = "The approvers' web app (the API is on the same origin)."
  value       = module.stack.web_url
}

output "jwt_issuer" {
  description = "Issuer of the tokens the API accepts."
  value       = module.stack.jwt_issuer
}

output "user_pool_id" {
  description = "ID of the Cognito user pool."
  value       = module.stack.user_pool_id
}

output "user_pool_client_id" {
  description = "ID of the Cognito app client that issues tokens for the API."
  value       = module.stack.user_pool_client_id
}

output "bus_name" {
  description = "Name of the event bus."
  value       = module.stack.bus_name
}

output "alarm_topic_arn" {
  description = "ARN of the alarm topic."
  value       = module.stack.alarm_topic_arn
}

output "codedeploy_application_name" {
  description = "Name of the CodeDeploy application that shifts the functions' `live` aliases."
  value       = module.stack.codedeploy_application_name
}

output "function_versions" {
  description = "Per function: the latest version published."
  value       = module.stack.function_versions
}

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard (null where the environment keeps none)."
  value       = module.stack.dashboard_name
}

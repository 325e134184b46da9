output "api_url" {
  description = "Base URL of the API."
  value       = module.api.api_url
}

output "web_url" {
  description = "The approvers' web app (the API is on the same origin)."
  value       = module.web.web_url
}

output "jwt_issuer" {
  description = "Issuer of the tokens the API accepts."
  value       = module.api.jwt_issuer
}

output "user_pool_id" {
  description = "ID of the Cognito user pool (null when another issuer is used)."
  value       = module.api.user_pool_id
}

output "user_pool_client_id" {
  description = "ID of the Cognito app client that issues tokens for the API."
  value       = module.api.user_pool_client_id
}

output "bus_name" {
  description = "Name of the event bus."
  value       = module.bus.bus_name
}

output "alarm_topic_arn" {
  description = "ARN of the alarm topic."
  value       = module.observability.alarm_topic_arn
}

output "codedeploy_application_name" {
  description = "Name of the CodeDeploy application that shifts the functions' `live` aliases."
  value       = module.deployment.application_name
}

output "function_versions" {
  description = "Per function (manifest name): the latest version published."
  value       = { for name, function in module.function : name => function.version }
}

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard."
  value       = module.observability.dashboard_name
}

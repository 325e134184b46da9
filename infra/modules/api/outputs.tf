output "api_id" {
  description = "ID of the HTTP API."
  value       = aws_apigatewayv2_api.this.id
}

output "api_url" {
  description = "Base URL of the API (its $default stage)."
  value       = aws_apigatewayv2_api.this.api_endpoint
}

output "stage_name" {
  description = "Name of the stage, for metrics."
  value       = aws_apigatewayv2_stage.this.name
}

output "jwt_issuer" {
  description = "Issuer of the tokens the API accepts."
  value       = local.issuer
}

output "user_pool_id" {
  description = "ID of the Cognito user pool (null when another issuer is used)."
  value       = one(aws_cognito_user_pool.this[*].id)
}

output "user_pool_client_id" {
  description = "ID of the Cognito app client that issues the API's tokens (null when another issuer is used)."
  value       = try(aws_cognito_user_pool_client.this["api"].id, null)
}

output "sign_in_url" {
  description = "The Cognito hosted sign-in's base URL (its /oauth2/authorize, /oauth2/token and /logout); null when another issuer is used."
  value       = local.sign_in
}

output "web_client_id" {
  description = "ID of the Cognito app client the approvers' web app signs in with (null when another issuer is used)."
  value       = try(aws_cognito_user_pool_client.this["web"].id, null)
}

resource "aws_cloudwatch_log_group" "access" {
  #checkov:skip=CKV_AWS_158:With no customer managed key (dev only, profile.customer_managed_keys = false) the log group keeps CloudWatch Logs' own encryption at rest; prod and staging pass their logs key
  name              = "/aws/apigateway/${var.prefix}-api"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.log_key_arn
}

resource "aws_apigatewayv2_stage" "this" {
  api_id      = aws_apigatewayv2_api.this.id
  name        = "$default"
  auto_deploy = true

  default_route_settings {
    throttling_rate_limit  = var.throttling.rate_limit
    throttling_burst_limit = var.throttling.burst_limit
  }

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.access.arn
    format = jsonencode({
      requestId        = "$context.requestId"
      ip               = "$context.identity.sourceIp"
      requestTime      = "$context.requestTime"
      httpMethod       = "$context.httpMethod"
      routeKey         = "$context.routeKey"
      status           = "$context.status"
      protocol         = "$context.protocol"
      responseLength   = "$context.responseLength"
      latency          = "$context.responseLatency"
      integrationError = "$context.integrationErrorMessage"
      authorizerError  = "$context.authorizer.error"
      user             = "$context.authorizer.claims.sub"
    })
  }
}

# HTTP API (payload 2.0): one integration per function that serves routes, one route per manifest
# httpApi event. HTTP APIs have no X-Ray tracing of their own: traces start at the function.
# No CORS: browsers reach the API on the web app's own origin (modules/web), so no origin is granted.
resource "aws_apigatewayv2_api" "this" {
  name          = "${var.prefix}-api"
  protocol_type = "HTTP"
}

resource "aws_apigatewayv2_authorizer" "jwt" {
  api_id           = aws_apigatewayv2_api.this.id
  name             = "jwt"
  authorizer_type  = "JWT"
  identity_sources = ["$request.header.Authorization"]
  jwt_configuration {
    issuer   = local.issuer
    audience = local.audience
  }
}

resource "aws_apigatewayv2_integration" "this" {
  for_each               = var.functions
  api_id                 = aws_apigatewayv2_api.this.id
  integration_type       = "AWS_PROXY"
  integration_method     = "POST"
  integration_uri        = each.value.alias_invoke_arn
  payload_format_version = "2.0"
}

resource "aws_apigatewayv2_route" "this" {
  #checkov:skip=CKV_AWS_309:Routes whose manifest event says auth none (GET /health, GET /openapi.json) are public by the API contract (docs/design.md §3); every other route has the JWT authorizer
  for_each           = var.routes
  api_id             = aws_apigatewayv2_api.this.id
  route_key          = each.key
  target             = "integrations/${aws_apigatewayv2_integration.this[each.value.function].id}"
  authorization_type = each.value.auth == "jwt" ? "JWT" : "NONE"
  authorizer_id      = each.value.auth == "jwt" ? aws_apigatewayv2_authorizer.jwt.id : null
}

resource "aws_lambda_permission" "this" {
  for_each      = var.functions
  statement_id  = "api-invoke"
  action        = "lambda:InvokeFunction"
  function_name = each.value.function_name
  qualifier     = "live"
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_apigatewayv2_api.this.execution_arn}/*/*"
}

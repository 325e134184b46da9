# The default identity provider: a user pool whose groups are the ones the API knows (docs/design.md §3).
locals {
  create_user_pool = var.jwt_issuer == null
  groups = {
    approvers = "Decide approval requests of high-priority tasks."
    admins    = "See and change every task."
  }
}

data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

resource "aws_cognito_user_pool" "this" {
  count                    = local.create_user_pool ? 1 : 0
  name                     = "${var.prefix}-users"
  deletion_protection      = var.deletion_protection ? "ACTIVE" : "INACTIVE"
  username_attributes      = ["email"]
  auto_verified_attributes = ["email"]
  mfa_configuration        = "OPTIONAL"

  software_token_mfa_configuration {
    enabled = true
  }

  password_policy {
    minimum_length    = 12
    require_lowercase = true
    require_uppercase = true
    require_numbers   = true
    require_symbols   = true
  }

  admin_create_user_config {
    allow_admin_create_user_only = true # users are invited, not self-registered
  }
}

resource "aws_cognito_user_group" "this" {
  for_each     = local.create_user_pool ? local.groups : {}
  name         = each.key
  description  = each.value
  user_pool_id = aws_cognito_user_pool.this[0].id
}

# Two app clients, both public (no secret): `api` for callers that sign in with the user pool's own flows,
# `web` for the approvers' web app, which signs in through the hosted sign-in with authorization code +
# PKCE and whose only callback and logout URL is the web app's own.
locals {
  clients = {
    api = { auth_flows = ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"], oauth_flows = [], urls = [] }
    web = { auth_flows = ["ALLOW_REFRESH_TOKEN_AUTH"], oauth_flows = ["code"], urls = [var.web_url] }
  }
}

resource "aws_cognito_user_pool_client" "this" {
  for_each                             = local.create_user_pool ? local.clients : {}
  name                                 = "${var.prefix}-${each.key}"
  user_pool_id                         = aws_cognito_user_pool.this[0].id
  generate_secret                      = false
  explicit_auth_flows                  = each.value.auth_flows
  allowed_oauth_flows_user_pool_client = length(each.value.oauth_flows) > 0
  allowed_oauth_flows                  = length(each.value.oauth_flows) > 0 ? each.value.oauth_flows : null
  allowed_oauth_scopes                 = length(each.value.oauth_flows) > 0 ? ["openid"] : null
  supported_identity_providers         = length(each.value.oauth_flows) > 0 ? ["COGNITO"] : null
  callback_urls                        = length(each.value.urls) > 0 ? each.value.urls : null
  logout_urls                          = length(each.value.urls) > 0 ? each.value.urls : null
  enable_token_revocation              = true
  prevent_user_existence_errors        = "ENABLED"
  id_token_validity                    = 60
  access_token_validity                = 60
  token_validity_units {
    id_token     = "minutes"
    access_token = "minutes"
  }
}

# The API's client was this resource's only instance.
moved {
  from = aws_cognito_user_pool_client.this[0]
  to   = aws_cognito_user_pool_client.this["api"]
}

resource "aws_cognito_user_pool_domain" "this" {
  count        = local.create_user_pool ? 1 : 0
  domain       = "${var.prefix}-${data.aws_caller_identity.current.account_id}"
  user_pool_id = aws_cognito_user_pool.this[0].id
}

locals {
  issuer   = local.create_user_pool ? "https://cognito-idp.${data.aws_region.current.region}.amazonaws.com/${aws_cognito_user_pool.this[0].id}" : var.jwt_issuer
  audience = local.create_user_pool ? [for client in aws_cognito_user_pool_client.this : client.id] : var.jwt_audience
  sign_in  = local.create_user_pool ? "https://${aws_cognito_user_pool_domain.this[0].domain}.auth.${data.aws_region.current.region}.amazoncognito.com" : null
}

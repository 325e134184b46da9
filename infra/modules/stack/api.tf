module "api" {
  source              = "../api"
  prefix              = local.prefix
  routes              = module.definitions.routes
  functions           = { for name in distinct([for route in values(module.definitions.routes) : route.function]) : name => module.function[name] }
  jwt_issuer          = var.jwt_issuer
  jwt_audience        = var.jwt_audience
  web_url             = module.web.web_url
  throttling          = var.api_throttling
  deletion_protection = var.deletion_protection
  log_key_arn         = try(local.key["logs"].arn, null)
  log_retention_days  = var.log_retention_days
}

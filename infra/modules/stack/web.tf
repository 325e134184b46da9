# The approvers' web app (web/app) and the API on one CloudFront origin; the notification's link and the
# Cognito web client's callback are its URL.
module "web" {
  source       = "../web"
  prefix       = local.prefix
  bucket_name  = "${local.prefix}-web-${local.account}"
  app_dir      = "${local.repo_root}/web/app"
  serving_path = "${local.repo_root}/web/serving.json"
  api_url      = module.api.api_url
  kms_key      = local.key["web"]
  identity_provider = {
    url       = module.api.sign_in_url
    client_id = module.api.web_client_id
  }
}

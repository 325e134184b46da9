# The approvers' web app: its files in a private bucket that only this distribution reads (origin access
# control), and the API behind the same distribution, so the page and the API share one origin: no CORS,
# and the bearer token never goes to another origin. /app/* is the bucket, every other path the API.
locals {
  app_path = "/app/"
  # The same file the local stack serves with (tasks_local.runtime.web_app), filled as it fills it.
  serving = jsondecode(templatefile(var.serving_path, { idp_origin = var.identity_provider.url }))
  headers = local.serving.headers
}

module "bucket" {
  #checkov:skip=CKV_AWS_18:Access logs would need a second bucket per env; the files are public code uploaded by Terraform only, and CloudFront's own logs can be switched on
  #checkov:skip=CKV_AWS_144:Cross-region replication of files Terraform uploads from the repository would add nothing: a new apply restores them
  #checkov:skip=CKV2_AWS_62:No consumer of object events: the files change only when Terraform uploads them
  source                        = "../bucket"
  name                          = var.bucket_name
  kms_key_arn                   = try(var.kms_key.arn, null)
  s3_managed_keys               = var.kms_key == null
  noncurrent_version_expiration = { rule_id = "expire-old-versions", days = 30 }
  policy_documents              = [data.aws_iam_policy_document.cloudfront_reads.json]
}

# Only this distribution, signing with its origin access control, reads the files; nobody lists or writes.
data "aws_iam_policy_document" "cloudfront_reads" {
  statement {
    sid       = "CloudFrontReadsTheApp"
    actions   = ["s3:GetObject"]
    resources = ["${module.bucket.bucket_arn}${local.app_path}*"]
    principals {
      type        = "Service"
      identifiers = ["cloudfront.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "AWS:SourceArn"
      values   = [aws_cloudfront_distribution.this.arn]
    }
  }
}

resource "aws_s3_object" "app" {
  for_each      = fileset(var.app_dir, "**")
  bucket        = module.bucket.bucket_name
  key           = "${trimprefix(local.app_path, "/")}${each.value}"
  source        = "${var.app_dir}/${each.value}"
  source_hash   = filemd5("${var.app_dir}/${each.value}")
  content_type  = local.serving.contentTypes[reverse(split(".", each.value))[0]]
  cache_control = "no-cache" # revalidated at each load: a deploy shows at once
}

# What the page reads to sign in (tasks_local.runtime.web_app.app_config writes the same keys locally).
resource "aws_s3_object" "config" {
  bucket = module.bucket.bucket_name
  key    = "${trimprefix(local.app_path, "/")}config.json"
  content = jsonencode({
    authorizationEndpoint = "${var.identity_provider.url}/oauth2/authorize"
    tokenEndpoint         = "${var.identity_provider.url}/oauth2/token"
    logoutEndpoint        = "${var.identity_provider.url}/logout"
    clientId              = var.identity_provider.client_id
    scope                 = "openid"
  })
  content_type  = local.serving.contentTypes["json"]
  cache_control = "no-cache"

  lifecycle {
    precondition {
      condition     = var.identity_provider.url != null && var.identity_provider.client_id != null
      error_message = "The web app signs in through the stack's Cognito user pool: leave jwt_issuer unset."
    }
  }
}

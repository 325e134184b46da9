# A private bucket: versioned, encrypted with a customer managed key (or S3's own where the caller keeps
# none: dev's archive), public access blocked, reachable over TLS only, old versions expiring. The
# Terraform state (infra/bootstrap), each environment's archive (modules/stack) and the web app's files
# (modules/web) are this one shape; each caller says why it skips what it skips.
resource "aws_s3_bucket" "this" {
  #checkov:skip=CKV_AWS_145:S3's own keys (SSE-S3) only where the caller asks for them (s3_managed_keys: dev's archive, whose test data needs no key policy); the state bucket and staging's and prod's archives are under their KMS key
  #checkov:skip=CKV_AWS_19:Always encrypted at rest: under the caller's KMS key, or S3's own keys (SSE-S3) where it asks for them (dev's archive); checkov cannot tell which from the module alone
  bucket = var.name
}

resource "aws_s3_bucket_versioning" "this" {
  bucket = aws_s3_bucket.this.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = var.s3_managed_keys ? "AES256" : "aws:kms" # AES256: S3's own keys (SSE-S3)
      kms_master_key_id = var.s3_managed_keys ? null : var.kms_key_arn
    }
    bucket_key_enabled = !var.s3_managed_keys
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket                  = aws_s3_bucket.this.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  bucket = aws_s3_bucket.this.id
  rule {
    id     = var.noncurrent_version_expiration.rule_id
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_expiration.days
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }
}

resource "aws_s3_bucket_policy" "this" {
  bucket = aws_s3_bucket.this.id
  policy = data.aws_iam_policy_document.this.json
}

# The TLS-only deny, and what the caller grants besides (the web app's bucket: CloudFront's reads).
data "aws_iam_policy_document" "this" {
  source_policy_documents = concat([module.tls_only.policy_json], var.policy_documents)
}

module "tls_only" {
  source    = "../tls-only"
  service   = "s3"
  resources = [aws_s3_bucket.this.arn, "${aws_s3_bucket.this.arn}/*"]
}

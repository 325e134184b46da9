data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  account   = data.aws_caller_identity.current.account_id
  partition = data.aws_partition.current.partition
}

resource "aws_kms_key" "state" {
  description             = "Terraform state of the tasks platform"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.state_key.json
}

data "aws_iam_policy_document" "state_key" {
  #checkov:skip=CKV_AWS_109:A key policy's Resource "*" is this key alone; the account administers it and IAM policies grant its use
  #checkov:skip=CKV_AWS_111:A key policy's Resource "*" is this key alone; the account administers it and IAM policies grant its use
  #checkov:skip=CKV_AWS_356:A key policy's Resource "*" is this key alone; the account administers it and IAM policies grant its use
  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"] # in a key policy, "*" is this key
    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account}:root"]
    }
  }
}

resource "aws_kms_alias" "state" {
  name          = "alias/tasks-terraform-state"
  target_key_id = aws_kms_key.state.key_id
}

module "state_bucket" {
  #checkov:skip=CKV_AWS_18:Access logs would need a bucket of their own; CloudTrail records who reads or writes the state
  #checkov:skip=CKV_AWS_144:One region holds the state; versioning keeps every earlier state to restore
  #checkov:skip=CKV2_AWS_62:Nothing reacts to state writes
  source                        = "../modules/bucket"
  name                          = "tasks-terraform-state-${local.account}"
  kms_key_arn                   = aws_kms_key.state.arn
  noncurrent_version_expiration = { rule_id = "keep-a-year-of-old-states", days = 365 }
}

# The bucket's resources were this file's, named state.
moved {
  from = aws_s3_bucket.state
  to   = module.state_bucket.aws_s3_bucket.this
}

moved {
  from = aws_s3_bucket_versioning.state
  to   = module.state_bucket.aws_s3_bucket_versioning.this
}

moved {
  from = aws_s3_bucket_server_side_encryption_configuration.state
  to   = module.state_bucket.aws_s3_bucket_server_side_encryption_configuration.this
}

moved {
  from = aws_s3_bucket_public_access_block.state
  to   = module.state_bucket.aws_s3_bucket_public_access_block.this
}

moved {
  from = aws_s3_bucket_lifecycle_configuration.state
  to   = module.state_bucket.aws_s3_bucket_lifecycle_configuration.this
}

moved {
  from = aws_s3_bucket_policy.state
  to   = module.state_bucket.aws_s3_bucket_policy.this
}

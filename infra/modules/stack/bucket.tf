# The archive of completed tasks (task-completed writes tasks/<id>.json). Bucket names are global,
# so the account id follows <env>-tasks-archive.
module "archive_bucket" {
  #checkov:skip=CKV_AWS_18:Access logs would need a second bucket per env; CloudTrail data events are the audit trail of this one (its only writer is the task-completed role)
  #checkov:skip=CKV_AWS_144:Cross-region replication is a disaster-recovery choice not made yet; versioning and PITR-backed tables keep the data
  #checkov:skip=CKV2_AWS_62:No consumer of object events: the archive is written once per completed task and read by people
  source                        = "../bucket"
  name                          = "${local.prefix}-archive-${local.account}"
  kms_key_arn                   = try(local.key["bucket"].arn, null)
  s3_managed_keys               = local.key["bucket"] == null
  noncurrent_version_expiration = { rule_id = "expire-old-versions", days = 90 }
}

# The bucket's resources were this file's, named archive.
moved {
  from = aws_s3_bucket.archive
  to   = module.archive_bucket.aws_s3_bucket.this
}

moved {
  from = aws_s3_bucket_versioning.archive
  to   = module.archive_bucket.aws_s3_bucket_versioning.this
}

moved {
  from = aws_s3_bucket_server_side_encryption_configuration.archive
  to   = module.archive_bucket.aws_s3_bucket_server_side_encryption_configuration.this
}

moved {
  from = aws_s3_bucket_public_access_block.archive
  to   = module.archive_bucket.aws_s3_bucket_public_access_block.this
}

moved {
  from = aws_s3_bucket_lifecycle_configuration.archive
  to   = module.archive_bucket.aws_s3_bucket_lifecycle_configuration.this
}

moved {
  from = aws_s3_bucket_policy.archive
  to   = module.archive_bucket.aws_s3_bucket_policy.this
}

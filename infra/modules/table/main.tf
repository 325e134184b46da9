resource "aws_dynamodb_table" "this" {
  #checkov:skip=CKV_AWS_119:With no customer managed key (profile.customer_managed_keys = false, dev only) the table and its stream are encrypted under an AWS owned key: encrypted at rest, without a key policy or an audit trail of its use, which dev's test data does not need; prod and staging pass their key
  name                        = var.name
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = var.definition.hash_key
  range_key                   = var.definition.range_key
  deletion_protection_enabled = var.deletion_protection
  stream_enabled              = var.definition.stream_view_type != null
  stream_view_type            = var.definition.stream_view_type

  dynamic "attribute" {
    for_each = var.definition.attributes
    content {
      name = attribute.key
      type = attribute.value
    }
  }

  dynamic "global_secondary_index" {
    for_each = var.definition.global_secondary_indexes
    content {
      name               = global_secondary_index.value.name
      hash_key           = global_secondary_index.value.hash_key
      range_key          = global_secondary_index.value.range_key
      projection_type    = global_secondary_index.value.projection_type
      non_key_attributes = global_secondary_index.value.non_key_attributes
    }
  }

  dynamic "ttl" {
    for_each = var.definition.ttl_attribute == null ? [] : [var.definition.ttl_attribute]
    content {
      enabled        = true
      attribute_name = ttl.value
    }
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = var.kms_key != null # false: an AWS owned key
    kms_key_arn = try(var.kms_key.arn, null)
  }
}

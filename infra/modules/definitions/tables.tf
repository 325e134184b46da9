# The tables (shared/tasks_shared/definitions/tables.json, CreateTable-shaped) as table module inputs.
locals {
  tables = {
    for key, table in jsondecode(file("${var.repo_root}/shared/tasks_shared/definitions/tables.json")).tables : key => {
      description = table.description
      hash_key    = one([for part in table.KeySchema : part.AttributeName if part.KeyType == "HASH"])
      range_key   = one([for part in table.KeySchema : part.AttributeName if part.KeyType == "RANGE"])
      attributes  = { for attribute in table.AttributeDefinitions : attribute.AttributeName => attribute.AttributeType }
      global_secondary_indexes = [
        for index in try(table.GlobalSecondaryIndexes, []) : {
          name               = index.IndexName
          hash_key           = one([for part in index.KeySchema : part.AttributeName if part.KeyType == "HASH"])
          range_key          = one([for part in index.KeySchema : part.AttributeName if part.KeyType == "RANGE"])
          projection_type    = index.Projection.ProjectionType
          non_key_attributes = try(index.Projection.NonKeyAttributes, null)
        }
      ]
      stream_view_type = try(table.StreamSpecification.StreamEnabled, false) ? table.StreamSpecification.StreamViewType : null
      ttl_attribute    = try(table.TimeToLive.AttributeName, null)
      env              = table.env
    }
  }
}

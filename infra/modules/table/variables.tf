variable "name" {
  description = "Physical table name, <env>-tasks-<key>."
  type        = string
}

variable "definition" {
  description = "The table's entry from the definitions module (keys, attributes, indexes, stream, TTL)."
  type = object({
    hash_key   = string
    range_key  = optional(string)
    attributes = map(string)
    global_secondary_indexes = list(object({
      name               = string
      hash_key           = string
      range_key          = optional(string)
      projection_type    = string
      non_key_attributes = optional(list(string))
    }))
    stream_view_type = optional(string)
    ttl_attribute    = optional(string)
  })
}

variable "kms_key" {
  description = "Customer managed KMS key ({ arn }) that encrypts the table and its stream; null: an AWS owned key."
  type        = object({ arn = string })
}

variable "deletion_protection" {
  description = "Refuse DeleteTable (prod)."
  type        = bool
}

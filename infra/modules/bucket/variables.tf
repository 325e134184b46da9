variable "name" {
  description = "The bucket's name, global to S3 (hence the account id in ours)."
  type        = string
}

variable "kms_key_arn" {
  description = "Customer managed KMS key that encrypts every object (with an S3 bucket key)."
  type        = string
  default     = null
}

variable "s3_managed_keys" {
  description = "Encrypt with S3's own keys (SSE-S3) instead of kms_key_arn: where the caller keeps no key of its own (dev's archive)."
  type        = bool
  default     = false
}

variable "noncurrent_version_expiration" {
  description = "The lifecycle rule's id and how many days a replaced or deleted version is kept before it expires."
  type = object({
    rule_id = string
    days    = number
  })
}

variable "policy_documents" {
  description = "Policy documents (JSON) whose statements the bucket policy has besides the TLS-only deny."
  type        = list(string)
  default     = []
}

variable "prefix" {
  description = "Name prefix, <env>-tasks; the function is <prefix>-<name>."
  type        = string
}

variable "name" {
  description = "The function's name in its manifest."
  type        = string
}

variable "function" {
  description = "The function's entry from the definitions module (settings, filled environment, triggers, IAM statements)."
  type        = any
}

variable "package_path" {
  description = "Path of the function's zip (make package writes dist/<name>.zip)."
  type        = string
}

variable "layer_arns" {
  description = "Layers the function runs with (the dependency layer)."
  type        = list(string)
}

variable "queue_arns" {
  description = "ARN per logical queue name, for the SQS triggers and on-failure destinations."
  type        = map(string)
}

variable "stream_arns" {
  description = "Stream ARN per table key, for the stream triggers."
  type        = map(string)
}

variable "reserved_concurrency" {
  description = "Reserved concurrency for a queue consumer, so a burst on its queue cannot take the API's share of the account (null: none)."
  type        = number
  default     = null
}

variable "kms_key" {
  description = "Customer managed KMS key ({ arn }) for the function's environment variables; null: aws/lambda."
  type        = object({ arn = string })
}

variable "log_key_arn" {
  description = "Customer managed KMS key for the function's log group; null: CloudWatch Logs' own encryption."
  type        = string
}

variable "tracing_mode" {
  description = "X-Ray: Active (Lambda samples the first request a second and 5 % of the rest) or PassThrough (only requests a caller sampled)."
  type        = string
  default     = "Active"
}

variable "log_retention_days" {
  description = "How long the function's logs are kept."
  type        = number
}

variable "prefix" {
  description = "Name prefix, <env>-tasks."
  type        = string
}

variable "name" {
  description = "The state machine's name (its file statemachines/<name>.asl.json)."
  type        = string
}

variable "definition_path" {
  description = "Path of the ASL template."
  type        = string
}

variable "tasks_table" {
  description = "Name of the tasks table, which the workflow updates."
  type        = string
}

variable "approvals_topic_arn" {
  description = "Topic the approvers are notified on."
  type        = string
}

variable "approval_timeout_seconds" {
  description = "How long a request waits for a decision before it expires."
  type        = number
}

variable "web_url" {
  description = "The approvers' web app's URL (modules/web): the notification's link opens a request there."
  type        = string
}

variable "statements" {
  description = "IAM statements its Task states' integrations need (from the definitions module)."
  type        = any
}

variable "kms_key" {
  description = "Customer managed KMS key ({ arn }) for the execution data; null: an AWS owned key."
  type        = object({ arn = string })
}

variable "log_key_arn" {
  description = "Customer managed KMS key for the execution log group; null: CloudWatch Logs' own encryption."
  type        = string
}

variable "log_retention_days" {
  description = "How long execution logs are kept."
  type        = number
}

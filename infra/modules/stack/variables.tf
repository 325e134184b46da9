variable "env" {
  description = "Environment name (dev, staging, prod); every name is <env>-tasks-<resource>."
  type        = string
}

variable "deletion_protection" {
  description = "Protect the tables and the user pool against deletion (prod)."
  type        = bool
}

variable "log_retention_days" {
  description = "How long function, API and workflow logs are kept."
  type        = number
}

variable "retention_days" {
  description = "Days a completed task is kept before its TTL removes it (the task-completed consumer's RETENTION_DAYS)."
  type        = number
  default     = 90
}

variable "approval_timeout_seconds" {
  description = "How long an approval request waits for a decision before it expires."
  type        = number
  default     = 259200
}

variable "consumer_reserved_concurrency" {
  description = "Reserved concurrency of each queue consumer, so a burst of events cannot starve the API (null: none, e.g. in an account whose concurrency limit is still 10)."
  type        = number
  default     = null
}

variable "api_throttling" {
  description = "The API stage's request rate (per second) and burst."
  type = object({
    rate_limit  = number
    burst_limit = number
  })
}

variable "jwt_issuer" {
  description = "Issuer of the API's tokens; null: a Cognito user pool with approvers and admins groups is created."
  type        = string
  default     = null
}

variable "jwt_audience" {
  description = "Audiences of the API's tokens when jwt_issuer is set."
  type        = list(string)
  default     = []
}

variable "external_publisher_arns" {
  description = "IAM roles of other systems that may put events on the bus (never with source tasks.service)."
  type        = list(string)
  default     = []
}

variable "alarm_email" {
  description = "Address subscribed to the alarm topic (null: none)."
  type        = string
  default     = null
}

variable "traffic_shifting" {
  description = "How CodeDeploy moves `live` to a new version: canary, linear or all_at_once, with percentage and interval_minutes (modules/deployment)."
  type = object({
    type             = string
    percentage       = optional(number, 10)
    interval_minutes = optional(number, 5)
  })
  default = { type = "canary" }
}

variable "dist_dir" {
  description = "Where `make package` writes the function zips and layer.zip."
  type        = string
}

variable "profile" {
  description = "What the environment keeps whatever its traffic: customer managed KMS keys (false: AWS managed or owned encryption, modules/stack/keys.tf says where), the dashboard, \"all\" alarms or the \"rollback\" ones (those CodeDeploy watches), and the functions' custom metrics (EMF)."
  type = object({
    customer_managed_keys = bool
    dashboard             = bool
    alarms                = string
    custom_metrics        = bool
  })
  default = { customer_managed_keys = true, dashboard = true, alarms = "all", custom_metrics = true }
  validation {
    condition     = contains(["all", "rollback"], var.profile.alarms)
    error_message = "profile.alarms is all or rollback."
  }
}

variable "tracing" {
  description = "X-Ray: the functions' mode (Active or PassThrough) and the sampling rule (reservoir per second, fixed rate) of what honours one: the approval workflow."
  type = object({
    lambda_mode          = string
    reservoir_per_second = number
    fixed_rate           = number
  })
  default = { lambda_mode = "Active", reservoir_per_second = 1, fixed_rate = 0.05 }
  validation {
    condition     = contains(["Active", "PassThrough"], var.tracing.lambda_mode) && var.tracing.reservoir_per_second >= 0 && var.tracing.fixed_rate >= 0 && var.tracing.fixed_rate <= 1
    error_message = "tracing.lambda_mode is Active or PassThrough, reservoir_per_second at least 0, fixed_rate 0 to 1."
  }
}

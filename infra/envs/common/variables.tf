# Shared by every environment root; each sets its values in its own terraform.tfvars.
variable "env" {
  description = "Environment name: dev, staging or prod."
  type        = string
  validation {
    condition     = contains(["dev", "staging", "prod"], var.env)
    error_message = "env is dev, staging or prod."
  }
}

variable "region" {
  description = "AWS region of the environment."
  type        = string
}

variable "cost_center" {
  description = "Cost allocation tag value (activate the cost-center tag in Billing to group costs by it)."
  type        = string
}

variable "deletion_protection" {
  description = "Protect the tables and the user pool against deletion."
  type        = bool
}

variable "log_retention_days" {
  description = "How long logs are kept."
  type        = number
}

variable "retention_days" {
  description = "Days a completed task is kept before its TTL removes it."
  type        = number
}

variable "approval_timeout_seconds" {
  description = "How long an approval request waits for a decision."
  type        = number
}

variable "consumer_reserved_concurrency" {
  description = "Reserved concurrency of each queue consumer (null: none)."
  type        = number
  default     = null
}

variable "traffic_shifting" {
  description = "How CodeDeploy moves each function's `live` alias to a new version: canary, linear or all_at_once (percentage, interval_minutes)."
  type = object({
    type             = string
    percentage       = optional(number, 10)
    interval_minutes = optional(number, 5)
  })
}

variable "api_throttling" {
  description = "The API stage's request rate (per second) and burst."
  type = object({
    rate_limit  = number
    burst_limit = number
  })
}

variable "jwt_issuer" {
  description = "Issuer of the API's tokens (null: a Cognito user pool)."
  type        = string
  default     = null
}

variable "jwt_audience" {
  description = "Audiences of the API's tokens when jwt_issuer is set."
  type        = list(string)
  default     = []
}

variable "external_publisher_arns" {
  description = "IAM roles of other systems that may put events on the bus."
  type        = list(string)
  default     = []
}

variable "alarm_email" {
  description = "Address subscribed to the alarms (null: none)."
  type        = string
  default     = null
}

variable "profile" {
  description = "What the environment keeps whatever its traffic (docs/cost.md): customer managed KMS keys (false: AWS managed or owned encryption wherever that serves), the dashboard, every alarm or only those that roll a deployment back (\"all\" or \"rollback\"), and the functions' custom metrics (EMF)."
  type = object({
    customer_managed_keys = bool
    dashboard             = bool
    alarms                = string
    custom_metrics        = bool
  })
}

variable "tracing" {
  description = "X-Ray: the functions' mode (Active: Lambda samples the first request a second and 5 % of the rest, a rate AWS lets no rule change; PassThrough: only requests a caller sampled) and the sampling rule of the services that honour one (the approval workflow): its reservoir per second and fixed rate."
  type = object({
    lambda_mode          = string
    reservoir_per_second = number
    fixed_rate           = number
  })
}

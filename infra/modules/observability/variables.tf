variable "prefix" {
  description = "Name prefix, <env>-tasks."
  type        = string
}

variable "alarm_email" {
  description = "Address subscribed to the alarm topic (null: none; subscribe another endpoint yourself)."
  type        = string
  default     = null
}

variable "kms_key_arn" {
  description = "Customer managed KMS key of the alarm topic (its policy lets CloudWatch use it)."
  type        = string
}

variable "alarms" {
  description = "\"all\": every alarm; \"rollback\": only those that roll a deployment back (function_alarm_names)."
  type        = string
  default     = "all"
  validation {
    condition     = contains(["all", "rollback"], var.alarms)
    error_message = "alarms is all or rollback."
  }
}

variable "dashboard" {
  description = "Whether the environment has the CloudWatch dashboard."
  type        = bool
  default     = true
}

variable "sampling" {
  description = "The environment's X-Ray sampling rule, for the services that honour one (the approval workflow): the requests recorded each second before the fixed rate applies, and that rate (0 to 1)."
  type = object({
    reservoir_per_second = number
    fixed_rate           = number
  })
  default = { reservoir_per_second = 1, fixed_rate = 0.05 }
}

variable "function_names" {
  description = "Per function (manifest name): its deployed name, for the error and throttle alarms."
  type        = map(string)
}

variable "stream_function_names" {
  description = "Per function reading a stream: its deployed name, for the iterator age alarm."
  type        = map(string)
}

variable "api_functions" {
  description = "The functions (manifest names) behind the API's routes: the API's 5xx and latency alarms roll their deployments back."
  type        = list(string)
}

variable "dead_letter_queues" {
  description = "Per logical name: the name of a queue where failed work waits (DLQs, on-failure destinations)."
  type        = map(string)
}

variable "state_machine_arns" {
  description = "Per name: a state machine whose failed and timed-out executions alarm."
  type        = map(string)
}

variable "api_id" {
  description = "ID of the HTTP API."
  type        = string
}

variable "api_stage" {
  description = "Name of the API's stage."
  type        = string
}

variable "thresholds" {
  description = "Alarm thresholds: stream iterator age (ms), API p99 latency (ms), API 5xx per period."
  type = object({
    iterator_age_ms   = number
    api_p99_ms        = number
    api_5xx_per_5_min = number
  })
  default = { iterator_age_ms = 60000, api_p99_ms = 1000, api_5xx_per_5_min = 5 }
}

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
  description = "KMS key of the alarm topic (its policy lets CloudWatch use it)."
  type        = string
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

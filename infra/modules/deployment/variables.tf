variable "prefix" {
  description = "Name prefix, <env>-tasks: the CodeDeploy application's name."
  type        = string
}

variable "function_names" {
  description = "Per function (manifest name): its deployed name, which is also its deployment group's."
  type        = map(string)
}

variable "alarm_names" {
  description = "Per function (manifest name): the alarms that stop and roll back a shift to its new version."
  type        = map(list(string))
}

variable "traffic_shifting" {
  description = "How `live` moves to a new version: canary (percentage, then the rest after interval_minutes), linear (percentage every interval_minutes) or all_at_once."
  type = object({
    type             = string
    percentage       = optional(number, 10)
    interval_minutes = optional(number, 5)
  })
  default = { type = "canary" }
  validation {
    condition     = contains(["canary", "linear", "all_at_once"], var.traffic_shifting.type)
    error_message = "traffic_shifting.type is canary, linear or all_at_once."
  }
  validation {
    condition     = var.traffic_shifting.percentage >= 1 && var.traffic_shifting.percentage <= 99 && var.traffic_shifting.interval_minutes >= 1
    error_message = "traffic_shifting.percentage is 1 to 99, interval_minutes at least 1."
  }
}

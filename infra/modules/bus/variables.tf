variable "prefix" {
  description = "Name prefix, <env>-tasks."
  type        = string
}

variable "rules" {
  description = "The rules from the definitions module: pattern and target (queue or state_machine) per rule name."
  type = map(object({
    description   = string
    event_pattern = string
    queue         = optional(string)
    state_machine = optional(string)
  }))
}

variable "archive" {
  description = "The archive's settings from events/rules.json (name, retentionDays, description)."
  type        = any
}

variable "queue_arns" {
  description = "ARN per logical queue name, for the rules' queue targets."
  type        = map(string)
}

variable "state_machine_arns" {
  description = "ARN per state machine name, for the rules' state machine targets."
  type        = map(string)
}

variable "state_machine_key" {
  description = "Customer managed KMS key ({ arn }) of the state machines' data: starting an execution encrypts its input with it (null: an AWS owned key, no grant)."
  type        = object({ arn = string })
}

variable "dead_letter_arn" {
  description = "Queue that keeps the events a target could not take after its retries."
  type        = string
}

variable "own_source" {
  description = "The source of our own events; only the publisher roles may put events with it."
  type        = string
}

variable "publisher_role_arns" {
  description = "Roles of our own publishers (the functions whose manifest grants events:PutEvents on the bus)."
  type        = list(string)
}

variable "external_publisher_arns" {
  description = "IAM principals (roles) of other systems allowed to put events on the bus, never with our own source."
  type        = list(string)
  default     = []
}

variable "target_retry" {
  description = "Retry policy of every target: how long and how often EventBridge retries a failed delivery before the DLQ."
  type = object({
    maximum_event_age_in_seconds = number
    maximum_retry_attempts       = number
  })
  default = { maximum_event_age_in_seconds = 86400, maximum_retry_attempts = 185 }
}

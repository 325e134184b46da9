variable "name" {
  description = "Physical queue name, <env>-tasks-<logical name>; its DLQ is <name>-dlq."
  type        = string
}

variable "settings" {
  description = "The queue's entry from the definitions module: visibility timeout, max receive count, whether it has a DLQ."
  type = object({
    visibility_timeout = number
    max_receive_count  = optional(number)
    dlq                = bool
  })
}

variable "kms_key" {
  description = "Customer managed KMS key ({ arn }) that encrypts the queue and its DLQ; null: SQS's own encryption (SSE-SQS)."
  type        = object({ arn = string })
}

variable "sender_rule_arns" {
  description = "EventBridge rules allowed to send to the queue (its targets or dead-letter configs)."
  type        = list(string)
  default     = []
}

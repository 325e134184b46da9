variable "name" {
  description = "Full name of the key, <env>-tasks-<purpose>; its alias is alias/<name>."
  type        = string
}

variable "description" {
  description = "What the key protects."
  type        = string
}

variable "service_principals" {
  description = "Service principals (e.g. events.amazonaws.com) that encrypt with the key on their own behalf, not through a caller's role."
  type        = list(string)
  default     = []
}

variable "service_conditions" {
  description = "Conditions on the service principals' use (e.g. aws:SourceArn of the bus's rules, the log groups' encryption context)."
  type = list(object({
    test     = string
    variable = string
    values   = list(string)
  }))
  default = []
}

variable "name" {
  description = "Full name of the role, <env>-tasks-<purpose>."
  type        = string
}

variable "trust" {
  description = "Who may assume the role: the principals (service principals by default, e.g. lambda.amazonaws.com), the sts action they call, and conditions on it (e.g. aws:SourceArn, an OIDC token's claims)."
  type = object({
    principals     = list(string)
    principal_type = optional(string, "Service")
    action         = optional(string, "sts:AssumeRole")
    conditions = optional(list(object({
      test     = string
      variable = string
      values   = list(string)
    })), [])
  })
  validation {
    condition     = contains(["Service", "Federated", "AWS"], var.trust.principal_type)
    error_message = "trust.principal_type is Service, Federated or AWS."
  }
}

variable "max_session_duration" {
  description = "Longest session, in seconds, that assuming the role gives (3600 is AWS's default)."
  type        = number
  default     = 3600
}

variable "policy_name" {
  description = "Name of the role's inline policy (what it is for, e.g. manifest, integrations)."
  type        = string
}

variable "statements" {
  description = "The inline policy's statements, in order: actions on resources, an optional sid and condition, and for a KMS key grant kms_via_service, the service (lambda, states, sqs...) the key may be used through, in this region (kms:ViaService). A statement with a wildcard action or the resource \"*\" says why in justification, which is not rendered (tests/contract/test_infra_iam_statements.py reads it)."
  type = list(object({
    sid       = optional(string)
    actions   = list(string)
    resources = list(string)
    condition = optional(object({
      test     = string
      variable = string
      values   = list(string)
    }))
    kms_via_service = optional(string)
    justification   = optional(string)
  }))
}

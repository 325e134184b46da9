variable "prefix" {
  description = "Name prefix, <env>-tasks."
  type        = string
}

variable "routes" {
  description = "Per route key (\"GET /tasks\"): the function that serves it and its auth (jwt or none), from the manifests' httpApi events."
  type = map(object({
    function = string
    auth     = string
  }))
}

variable "functions" {
  description = "Per function name serving routes: its name and its `live` alias's invoke ARN."
  type = map(object({
    function_name    = string
    alias_invoke_arn = string
  }))
}

variable "jwt_issuer" {
  description = "Issuer of the tokens the API accepts; null: the Cognito user pool this module creates."
  type        = string
  default     = null
}

variable "jwt_audience" {
  description = "Audiences of the tokens the API accepts; empty: the Cognito app client this module creates."
  type        = list(string)
  default     = []
}

variable "web_url" {
  description = "The approvers' web app's URL (modules/web): the web app client's only callback and logout URL."
  type        = string
}

variable "throttling" {
  description = "Stage-wide request rate (per second) and burst."
  type = object({
    rate_limit  = number
    burst_limit = number
  })
}

variable "log_key_arn" {
  description = "Customer managed KMS key for the access log group; null: CloudWatch Logs' own encryption."
  type        = string
}

variable "log_retention_days" {
  description = "How long access logs are kept."
  type        = number
}

variable "deletion_protection" {
  description = "Refuse to delete the Cognito user pool (prod)."
  type        = bool
}

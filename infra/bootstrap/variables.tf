variable "region" {
  description = "Region of the state bucket (and of the environments)."
  type        = string
}

variable "repository" {
  description = "The GitHub repository (owner/name) whose workflows may deploy."
  type        = string
  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.repository))
    error_message = "repository is owner/name."
  }
}

variable "environments" {
  description = "Per environment, the GitHub OIDC subject (after repo:<repository>:) its deploy role trusts: main for dev, the GitHub environment of the deploy workflow's job for staging and prod (production has required reviewers)."
  type        = map(string)
  default = {
    dev     = "ref:refs/heads/main"
    staging = "environment:staging"
    prod    = "environment:production"
  }
}

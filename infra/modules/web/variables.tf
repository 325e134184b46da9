variable "prefix" {
  description = "Name prefix, <env>-tasks."
  type        = string
}

variable "bucket_name" {
  description = "Name of the private bucket that holds the web app's files (global to S3)."
  type        = string
}

variable "app_dir" {
  description = "The web app's files (web/app), uploaded as they are: there is no build step."
  type        = string
}

variable "serving_path" {
  description = "web/serving.json: the security headers every file is sent with, and each extension's content type."
  type        = string
}

variable "api_url" {
  description = "Base URL of the HTTP API, which CloudFront serves on the web app's origin (every path but /app/*)."
  type        = string
}

variable "identity_provider" {
  description = "Where the web app signs in: the Cognito hosted sign-in's base URL and the web app client's id."
  type = object({
    url       = string
    client_id = string
  })
}

variable "kms_key" {
  description = "Customer managed KMS key of the bucket ({ arn }; CloudFront may decrypt with it), or null for S3's own keys (SSE-S3) where the environment keeps none (dev)."
  type        = object({ arn = string })
  default     = null
}

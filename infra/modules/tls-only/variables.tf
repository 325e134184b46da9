variable "service" {
  description = "The IAM service prefix whose every action is denied without TLS (s3, sqs)."
  type        = string
}

variable "resources" {
  description = "ARNs the statement covers (a bucket and its objects, a queue)."
  type        = list(string)
}

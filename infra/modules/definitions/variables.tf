variable "repo_root" {
  description = "Path of the repository root, where services/, events/, statemachines/ and shared/ are."
  type        = string
}

variable "values" {
  description = "Values of the manifests' $${...} environment placeholders (tables, bus, buckets, topics, secrets, settings)."
  type        = any
}

variable "arns" {
  description = "ARN of each resource a manifest names in its iam statements: table/<key>, queue/<name>, topic/<name>, bucket/<name>, bus, stateMachine/<name>, secret/<key>."
  type        = map(string)
}

variable "key_arns" {
  description = "KMS key ARN per resource kind (table, queue, topic, bucket, stateMachine, secret) for the grants that kind needs; a kind left out is under a key AWS holds and needs none."
  type        = map(string)
}

variable "workflow_arns" {
  description = "ARN of the resource behind each ASL placeholder a Task state's Parameters name (e.g. tasks_table, approvals_topic_arn)."
  type        = map(string)
}

variable "region" {
  description = "AWS region, for the kms:ViaService conditions."
  type        = string
}

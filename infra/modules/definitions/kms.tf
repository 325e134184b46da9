# What a role needs on the KMS key of each kind of resource it uses, only through that service.
locals {
  kms_use = {
    table  = { service = "dynamodb", actions = ["kms:Decrypt"] } # stream records and items under the table key
    queue  = { service = "sqs", actions = ["kms:Decrypt", "kms:GenerateDataKey"] }
    topic  = { service = "sns", actions = ["kms:Decrypt", "kms:GenerateDataKey"] }
    bucket = { service = "s3", actions = ["kms:GenerateDataKey"] } # PutObject only
    # Task token callbacks (SendTaskSuccess/Failure) carry data encrypted with the state machine's key.
    stateMachine = { service = "states", actions = ["kms:GenerateDataKey", "kms:Decrypt"] }
    secret       = { service = "secretsmanager", actions = ["kms:Decrypt"] } # GetSecretValue only
  }

  # The statement that grants it, per kind: a function's (functions.tf) or a state machine's (workflow.tf).
  # A kind under a key AWS holds (no customer managed key in the environment) needs no grant: AWS owned
  # keys ask none, and an AWS managed key's own policy lets the account use it through its service.
  kms_statements = {
    for kind, use in local.kms_use : kind => {
      actions   = use.actions
      resources = [var.key_arns[kind]]
      condition = { test = "StringEquals", variable = "kms:ViaService", values = ["${use.service}.${var.region}.amazonaws.com"] }
    } if contains(keys(var.key_arns), kind)
  }
}

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
}

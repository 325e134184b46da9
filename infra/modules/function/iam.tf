# One role per function: exactly its manifest's statements (ARNs and key grants from the definitions
# module), plus its environment's key (when a key of ours encrypts it), its own log group and X-Ray.
module "role" {
  #checkov:skip=CKV_AWS_111:X-Ray's PutTraceSegments/PutTelemetryRecords have no resource-level permissions (AWS requires "*")
  #checkov:skip=CKV_AWS_356:X-Ray's PutTraceSegments/PutTelemetryRecords have no resource-level permissions (AWS requires "*")
  source      = "../role"
  name        = "${var.prefix}-${var.name}"
  trust       = { principals = ["lambda.amazonaws.com"] }
  policy_name = "manifest"
  statements = concat(var.function.statements, [
    # its environment, encrypted with the compute key (none to grant under aws/lambda)
    for key in var.kms_key[*] : { actions = ["kms:Decrypt"], resources = [key.arn], kms_via_service = "lambda" }
    ], [
    { actions = ["logs:CreateLogStream", "logs:PutLogEvents"], resources = ["${aws_cloudwatch_log_group.this.arn}:*"] },
    {
      actions       = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
      resources     = ["*"]
      justification = "X-Ray's PutTraceSegments/PutTelemetryRecords have no resource-level permissions (AWS requires \"*\")"
    },
  ])
}

moved {
  from = aws_iam_role.this
  to   = module.role.aws_iam_role.this
}

moved {
  from = aws_iam_role_policy.this
  to   = module.role.aws_iam_role_policy.this
}

# What a deploy role may do: its own state, and the services of its own environment's resources, all
# named <env>-tasks-*. Services that name resources by generated ids (API Gateway, Cognito) or that
# create before a name exists (KMS keys, log delivery) cannot be narrowed by name: their actions are
# listed one by one.
locals {
  scoped = {
    dynamodb       = ["arn:${local.partition}:dynamodb:*:${local.account}:table/%s-tasks-*"]
    sqs            = ["arn:${local.partition}:sqs:*:${local.account}:%s-tasks-*"]
    sns            = ["arn:${local.partition}:sns:*:${local.account}:%s-tasks-*"]
    events         = ["arn:${local.partition}:events:*:${local.account}:event-bus/%s-tasks-*", "arn:${local.partition}:events:*:${local.account}:rule/%s-tasks-*", "arn:${local.partition}:events:*:${local.account}:archive/%s-tasks-*"]
    lambda         = ["arn:${local.partition}:lambda:*:${local.account}:function:%s-tasks-*", "arn:${local.partition}:lambda:*:${local.account}:layer:%s-tasks-*", "arn:${local.partition}:lambda:*:${local.account}:event-source-mapping:*"]
    states         = ["arn:${local.partition}:states:*:${local.account}:stateMachine:%s-tasks-*"]
    secretsmanager = ["arn:${local.partition}:secretsmanager:*:${local.account}:secret:%s-tasks-*"]
    s3             = ["arn:${local.partition}:s3:::%s-tasks-*"]
    logs           = ["arn:${local.partition}:logs:*:${local.account}:log-group:/aws/lambda/%s-tasks-*", "arn:${local.partition}:logs:*:${local.account}:log-group:/aws/apigateway/%s-tasks-*", "arn:${local.partition}:logs:*:${local.account}:log-group:/aws/vendedlogs/states/%s-tasks-*"]
    codedeploy = [
      "arn:${local.partition}:codedeploy:*:${local.account}:application:%s-tasks",
      "arn:${local.partition}:codedeploy:*:${local.account}:deploymentgroup:%s-tasks/*",
      "arn:${local.partition}:codedeploy:*:${local.account}:deploymentconfig:%s-tasks-*",
    ]
    cloudwatch = [
      "arn:${local.partition}:cloudwatch:*:${local.account}:alarm:%s-tasks-*",
      "arn:${local.partition}:cloudwatch::${local.account}:dashboard/%s-tasks",
    ]
  }
}

# Per environment, its deploy role's statements (module.deploy_role in github.tf, where checkov's skips
# for them are, each with its reason).
locals {
  deploy_statements = {
    for env in keys(var.environments) : env => concat(
      [
        {
          sid       = "OwnState"
          actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
          resources = ["${module.state_bucket.bucket_arn}/tasks/${env}.tfstate", "${module.state_bucket.bucket_arn}/tasks/${env}.tfstate.tflock"]
        },
        {
          sid       = "ListState"
          actions   = ["s3:ListBucket"]
          resources = [module.state_bucket.bucket_arn]
          condition = { test = "StringLike", variable = "s3:prefix", values = ["tasks/${env}.tfstate*"] }
        },
        {
          sid       = "StateKey"
          actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
          resources = [aws_kms_key.state.arn]
        },
      ],
      [
        for service, patterns in local.scoped : {
          sid           = "Own${title(service)}"
          actions       = ["${service}:*"]
          resources     = [for pattern in patterns : replace(pattern, "%s", env)]
          justification = "Every action of the service, but only on this environment's own resources (named <env>-tasks-*)"
        }
      ],
      [
        {
          sid       = "HttpApis"
          actions   = ["apigateway:GET", "apigateway:POST", "apigateway:PUT", "apigateway:PATCH", "apigateway:DELETE", "apigateway:TagResource"]
          resources = ["arn:${local.partition}:apigateway:*::/apis", "arn:${local.partition}:apigateway:*::/apis/*", "arn:${local.partition}:apigateway:*::/tags/*"]
        },
        {
          sid = "UserPools"
          actions = [
            "cognito-idp:CreateUserPool", "cognito-idp:DeleteUserPool", "cognito-idp:DescribeUserPool", "cognito-idp:UpdateUserPool",
            "cognito-idp:CreateUserPoolClient", "cognito-idp:DeleteUserPoolClient", "cognito-idp:DescribeUserPoolClient",
            "cognito-idp:UpdateUserPoolClient", "cognito-idp:CreateGroup", "cognito-idp:DeleteGroup", "cognito-idp:GetGroup",
            "cognito-idp:UpdateGroup", "cognito-idp:SetUserPoolMfaConfig", "cognito-idp:GetUserPoolMfaConfig",
            "cognito-idp:ListTagsForResource", "cognito-idp:TagResource", "cognito-idp:UntagResource",
          ]
          resources     = ["*"]
          justification = "User pools are named by generated ids, and CreateUserPool has no resource"
        },
        {
          sid = "OwnRoles"
          actions = [
            "iam:CreateRole", "iam:DeleteRole", "iam:GetRole", "iam:UpdateRole", "iam:UpdateAssumeRolePolicy", "iam:TagRole",
            "iam:UntagRole", "iam:PutRolePolicy", "iam:GetRolePolicy", "iam:DeleteRolePolicy", "iam:ListRolePolicies",
            "iam:ListAttachedRolePolicies", "iam:ListInstanceProfilesForRole", "iam:PassRole",
          ]
          resources = [
            "arn:${local.partition}:iam::${local.account}:role/${env}-tasks-*",
          ]
        },
        {
          sid       = "ApiGatewayLinkedRole"
          actions   = ["iam:CreateServiceLinkedRole"]
          resources = ["arn:${local.partition}:iam::${local.account}:role/aws-service-role/ops.apigateway.amazonaws.com/*"]
          condition = { test = "StringEquals", variable = "iam:AWSServiceName", values = ["ops.apigateway.amazonaws.com"] }
        },
        {
          sid = "UnscopedServices"
          actions = [
            "kms:CreateKey", "kms:CreateAlias", "kms:DeleteAlias", "kms:ListAliases",
            "kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags", "kms:PutKeyPolicy",
            "kms:EnableKeyRotation", "kms:ScheduleKeyDeletion", "kms:TagResource", "kms:CreateGrant", "kms:Encrypt",
            "kms:Decrypt", "kms:GenerateDataKey", "logs:DescribeLogGroups", "logs:CreateLogDelivery", "logs:GetLogDelivery",
            "logs:UpdateLogDelivery", "logs:DeleteLogDelivery", "logs:ListLogDeliveries", "logs:PutResourcePolicy",
            "logs:DescribeResourcePolicies", "lambda:GetLayerVersion", "lambda:ListTags",
            "events:PutPermission", "events:RemovePermission",
          ]
          resources     = ["*"]
          justification = "KMS keys are named by generated ids (CreateKey has no resource yet) and log delivery has no resource-level permissions"
        },
      ],
    )
  }
}

# GitHub Actions deploy through OIDC: no stored AWS keys. Each environment's role trusts one subject
# of this repository only (main for dev; for staging and prod, the GitHub environment of the deploy
# workflow's job: a job that names an environment gets repo:<repo>:environment:<name> as its subject).
resource "aws_iam_openid_connect_provider" "github" {
  url            = "https://token.actions.githubusercontent.com"
  client_id_list = ["sts.amazonaws.com"]
}

# The skips below are for its statements (local.deploy_statements, deploy.tf).
module "deploy_role" {
  #checkov:skip=CKV_AWS_356:API Gateway, Cognito, KMS key creation, X-Ray and log delivery have no name-scoped resources; everything that has one is scoped to <env>-tasks-*
  #checkov:skip=CKV_AWS_111:Same: write actions on "*" are only those of services without name-scoped resources
  #checkov:skip=CKV_AWS_109:The role creates and attaches its environment's own roles and key policies (iam on role/<env>-tasks-*, kms on keys it creates)
  #checkov:skip=CKV_AWS_108:Terraform must read what it manages (state refresh); reads are limited to the same services
  source               = "../modules/role"
  for_each             = var.environments
  name                 = "${each.key}-tasks-deploy"
  max_session_duration = 3600
  trust = {
    principal_type = "Federated"
    principals     = [aws_iam_openid_connect_provider.github.arn]
    action         = "sts:AssumeRoleWithWebIdentity"
    conditions = [
      { test = "StringEquals", variable = "token.actions.githubusercontent.com:aud", values = ["sts.amazonaws.com"] },
      { test = "StringEquals", variable = "token.actions.githubusercontent.com:sub", values = ["repo:${var.repository}:${each.value}"] },
    ]
  }
  policy_name = "deploy"
  statements  = local.deploy_statements[each.key]
}

# The role and its policy were resources of this file. Moved blocks take literal keys: these are
# var.environments' defaults; a state made with other environments needs a block for each of them.
moved {
  from = aws_iam_role.deploy["dev"]
  to   = module.deploy_role["dev"].aws_iam_role.this
}

moved {
  from = aws_iam_role.deploy["staging"]
  to   = module.deploy_role["staging"].aws_iam_role.this
}

moved {
  from = aws_iam_role.deploy["prod"]
  to   = module.deploy_role["prod"].aws_iam_role.this
}

moved {
  from = aws_iam_role_policy.deploy["dev"]
  to   = module.deploy_role["dev"].aws_iam_role_policy.this
}

moved {
  from = aws_iam_role_policy.deploy["staging"]
  to   = module.deploy_role["staging"].aws_iam_role_policy.this
}

moved {
  from = aws_iam_role_policy.deploy["prod"]
  to   = module.deploy_role["prod"].aws_iam_role_policy.this
}

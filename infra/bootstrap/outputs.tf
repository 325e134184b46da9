output "state_bucket" {
  description = "Bucket of every environment's state (make plan/deploy pass it as -backend-config)."
  value       = module.state_bucket.bucket_name
}

output "deploy_role_arns" {
  description = "Per environment: the role its GitHub Actions job assumes (aws-actions/configure-aws-credentials role-to-assume)."
  value       = { for env, role in module.deploy_role : env => role.role_arn }
}

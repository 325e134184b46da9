output "application_name" {
  description = "Name of the CodeDeploy application (the deployment groups are named after the functions)."
  value       = aws_codedeploy_app.this.name
}

output "deployment_config_name" {
  description = "Name of the traffic-shifting configuration every group uses."
  value       = aws_codedeploy_deployment_config.this.deployment_config_name
}

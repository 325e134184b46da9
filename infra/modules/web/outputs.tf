output "web_url" {
  description = "The approvers' web app: the notification's links, and the sign-in's callback and logout URL."
  value       = "https://${aws_cloudfront_distribution.this.domain_name}${local.app_path}"
}

output "distribution_arn" {
  description = "ARN of the CloudFront distribution."
  value       = aws_cloudfront_distribution.this.arn
}

output "bucket_name" {
  description = "Name of the bucket that holds the web app's files."
  value       = module.bucket.bucket_name
}

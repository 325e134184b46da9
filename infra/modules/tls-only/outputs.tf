output "policy_json" {
  description = "A policy document holding the TlsOnly deny statement, for a caller's source_policy_documents."
  value       = data.aws_iam_policy_document.this.json
}

output "functions" {
  description = "Per function (manifest name): its settings, filled environment, triggers, routes and IAM statements with ARNs."
  value       = local.functions
}

output "triggers" {
  description = "Per function: its queue, stream and http triggers, from its manifest alone (no ARN)."
  value       = local.triggers
}

output "routes" {
  description = "Per route key (\"GET /tasks\"): the function serving it and its auth, from the manifests' httpApi events."
  value       = local.routes
}

output "publishers" {
  description = "Functions whose manifest grants events:PutEvents: the only ones that may publish our own source."
  value       = local.publishers
}

output "queues" {
  description = "Per logical queue name: its settings and whether it has a DLQ (consumers) or is itself a failure destination."
  value       = merge(local.failure_queues, local.consumer_queues)
}

output "rules" {
  description = "Per rule name (events/rules.json): its pattern and its target (a queue or a state machine)."
  value       = local.rules
}

output "archive" {
  description = "The bus archive's settings from events/rules.json."
  value       = local.rules_file.archive
}

output "event_source" {
  description = "The source of our own events (only our publisher may use it)."
  value       = local.rules_file.source
}

output "tables" {
  description = "Per table key: keys, attributes, indexes, stream and TTL from the table definitions."
  value       = local.tables
}

output "state_machine_files" {
  description = "Per state machine name: the path of its ASL template."
  value       = local.state_machine_files
}

output "state_machine_placeholders" {
  description = "Per state machine name: the placeholders its template needs."
  value       = local.placeholders
}

output "state_machine_statements" {
  description = "Per state machine name: the IAM statements its Task states' integrations need."
  value       = local.state_machine_statements
}

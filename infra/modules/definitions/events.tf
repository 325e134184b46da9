# The bus's rules (events/rules.json), interpreted as local/tasks_local/runtime/bus.py does.
locals {
  rules_file = jsondecode(file("${var.repo_root}/events/rules.json"))

  rules = {
    for name, rule in local.rules_file.rules : name => {
      description    = rule.description
      event_pattern  = jsonencode(rule.eventPattern)
      queue          = try(rule.target.queue, null)
      state_machine  = try(rule.target.stateMachine, null)
      execution_name = try(rule.target.executionName, [])
    }
  }
}

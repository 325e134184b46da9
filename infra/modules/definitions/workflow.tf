# The state machines (statemachines/*.asl.json) and what their Task states call, for their roles.
# The template is valid JSON with its placeholders inside strings, so it is read before it is filled.
locals {
  state_machine_files = {
    for file in fileset(var.repo_root, "statemachines/*.asl.json") :
    trimsuffix(basename(file), ".asl.json") => "${var.repo_root}/${file}"
  }

  placeholders = {
    for name, path in local.state_machine_files :
    name => sort(distinct(flatten(regexall("\\$\\{([A-Za-z0-9_]+)\\}", file(path)))))
  }

  # Task states at the top and inside Parallel branches (the nesting the ASL uses; the contract test
  # fails if a deeper one appears).
  task_states = {
    for name, path in local.state_machine_files : name => concat(
      [for state in values(jsondecode(file(path)).States) : state if state.Type == "Task"],
      flatten([
        for state in values(jsondecode(file(path)).States) : [
          for branch in try(state.Branches, []) : [for inner in values(branch.States) : inner if inner.Type == "Task"]
        ]
      ])
    )
  }

  # `arn:aws:states:::aws-sdk:dynamodb:updateItem.waitForTaskToken` -> dynamodb:UpdateItem on the
  # resource its Parameters name (TableName / TopicArn, a placeholder).
  integration        = "^arn:aws:states:::(?:aws-sdk:)?([a-z0-9]+):([A-Za-z]+)"
  resource_parameter = { dynamodb = "TableName", sns = "TopicArn" }
  service_kind       = { dynamodb = "table", sns = "topic" }
  calls = {
    for name, states in local.task_states : name => [
      for state in states : {
        service = regex(local.integration, state.Resource)[0]
        action  = join(":", [regex(local.integration, state.Resource)[0], "${upper(substr(regex(local.integration, state.Resource)[1], 0, 1))}${substr(regex(local.integration, state.Resource)[1], 1, -1)}"])
        target  = regex("^\\$\\{([A-Za-z0-9_]+)\\}$", state.Parameters[local.resource_parameter[regex(local.integration, state.Resource)[0]]])[0]
      }
    ]
  }
  state_machine_statements = {
    for name, calls in local.calls : name => concat(
      [
        for action, targets in { for call in calls : call.action => var.workflow_arns[call.target]... } :
        { actions = [action], resources = distinct(targets), condition = null }
      ],
      [for kind in distinct([for call in calls : local.service_kind[call.service]]) : local.kms_statements[kind] if contains(keys(local.kms_statements), kind)]
    )
  }
}

# One function per services/*/function.yml, interpreted as local/tasks_local/runtime/manifest.py does.
locals {
  manifests = {
    for file in fileset(var.repo_root, "services/*/function.yml") :
    yamldecode(file("${var.repo_root}/${file}")).name => yamldecode(file("${var.repo_root}/${file}"))
  }

  # Triggers and routes depend on the manifests alone, so resources keyed by them never wait on ARNs.
  triggers = {
    for name, manifest in local.manifests : name => {
      queue  = [for event in try(manifest.events, []) : event.sqs if can(event.sqs)]
      stream = [for event in try(manifest.events, []) : event.stream if can(event.stream)]
      http   = [for event in try(manifest.events, []) : event.httpApi if can(event.httpApi)]
    }
  }

  routes = merge([
    for name, triggers in local.triggers : {
      for route in triggers.http : "${route.method} ${route.path}" => { function = name, auth = route.auth }
    }
  ]...)

  # Our event publishers: the functions whose manifest may put events on the bus.
  publishers = [
    for name, manifest in local.manifests : name
    if anytrue([for statement in try(manifest.iam, []) : contains(statement.actions, "events:PutEvents")])
  ]

  # `table/tasks/stream/*` -> ["table/tasks", "/stream/*"]: the named resource, then a path inside it.
  resource_reference = "^([^/]+(?:/[^/]+)?)(.*)$"

  functions = {
    for name, manifest in local.manifests : name => {
      description  = manifest.description
      handler      = manifest.handler
      runtime      = manifest.runtime
      architecture = manifest.architecture
      memory_size  = manifest.memorySize
      timeout      = manifest.timeout
      environment = {
        for key, value in try(manifest.environment, {}) : key => templatestring(value, var.values)
      }
      queue_triggers  = local.triggers[name].queue
      stream_triggers = local.triggers[name].stream
      statements = concat(
        [for statement in try(manifest.iam, []) : {
          actions = statement.actions
          resources = [
            for reference in statement.resources :
            "${var.arns[regex(local.resource_reference, reference)[0]]}${regex(local.resource_reference, reference)[1]}"
          ]
          condition = null
        }],
        [
          for kind in distinct(flatten([for statement in try(manifest.iam, []) : [for reference in statement.resources : split("/", reference)[0]]])) :
          local.kms_statements[kind] if contains(keys(local.kms_statements), kind)
        ]
      )
    }
  }

  # Every queue a manifest names: a consumer's (with its DLQ) or a stream's on-failure destination.
  consumer_queues = merge([
    for triggers in local.triggers : {
      for trigger in triggers.queue : trigger.queue => {
        visibility_timeout = trigger.visibilityTimeout
        max_receive_count  = trigger.maxReceiveCount
        dlq                = true
      }
    }
  ]...)
  failure_queues = merge([
    for triggers in local.triggers : {
      for trigger in triggers.stream : trigger.onFailure.queue => {
        visibility_timeout = 30
        max_receive_count  = null
        dlq                = false
      } if can(trigger.onFailure.queue)
    }
  ]...)
}

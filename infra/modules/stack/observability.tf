module "observability" {
  source                = "../observability"
  prefix                = local.prefix
  alarm_email           = var.alarm_email
  kms_key_arn           = local.key["topics"].arn
  function_names        = { for name, function in module.function : name => function.function_name }
  stream_function_names = { for name, triggers in module.definitions.triggers : name => module.function[name].function_name if length(triggers.stream) > 0 }
  dead_letter_queues = merge(
    { for name, queue in module.queue : "${name}-dlq" => queue.dlq_name if module.definitions.queues[name].dlq },
    { for name, queue in module.queue : name => queue.queue_name if !module.definitions.queues[name].dlq },
    { "bus-dlq" = module.bus_dlq.queue_name },
  )
  state_machine_arns = { for name, machine in module.workflow : name => machine.state_machine_arn }
  api_id             = module.api.api_id
  api_stage          = module.api.stage_name
  api_functions      = distinct([for route in values(module.definitions.routes) : route.function])
  alarms             = var.profile.alarms
  dashboard          = var.profile.dashboard
  sampling           = { reservoir_per_second = var.tracing.reservoir_per_second, fixed_rate = var.tracing.fixed_rate }
}

module "deployment" {
  source           = "../deployment"
  prefix           = local.prefix
  function_names   = { for name, function in module.function : name => function.function_name }
  alarm_names      = module.observability.function_alarm_names
  traffic_shifting = var.traffic_shifting
}

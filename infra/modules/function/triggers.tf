# The manifest's `sqs` and `stream` events, with their batch settings, as event source mappings
# of the `live` alias.
resource "aws_lambda_event_source_mapping" "queue" {
  for_each                           = { for trigger in var.function.queue_triggers : trigger.queue => trigger }
  function_name                      = aws_lambda_alias.live.arn
  event_source_arn                   = var.queue_arns[each.key]
  batch_size                         = each.value.batchSize
  maximum_batching_window_in_seconds = each.value.maximumBatchingWindow
  function_response_types            = [each.value.functionResponseType]

  dynamic "scaling_config" {
    for_each = var.reserved_concurrency == null ? [] : [max(2, var.reserved_concurrency)]
    content {
      maximum_concurrency = scaling_config.value # polls no faster than the function may run: no throttled retries
    }
  }
}

resource "aws_lambda_event_source_mapping" "stream" {
  for_each                           = { for trigger in var.function.stream_triggers : trigger.table => trigger }
  function_name                      = aws_lambda_alias.live.arn
  event_source_arn                   = var.stream_arns[each.key]
  starting_position                  = each.value.startingPosition
  batch_size                         = each.value.batchSize
  maximum_batching_window_in_seconds = each.value.maximumBatchingWindow
  maximum_retry_attempts             = each.value.maximumRetryAttempts
  bisect_batch_on_function_error     = each.value.bisectBatchOnFunctionError
  function_response_types            = [each.value.functionResponseType]

  destination_config {
    on_failure {
      destination_arn = var.queue_arns[each.value.onFailure.queue]
    }
  }
}

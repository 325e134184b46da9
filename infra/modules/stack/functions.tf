# One function per manifest, each with its own role, log group, `live` alias and triggers.
resource "aws_lambda_layer_version" "dependencies" {
  layer_name               = "${local.prefix}-dependencies"
  description              = "Runtime dependencies (pyproject.toml, pinned by constraints.txt) for Python 3.12 on arm64"
  filename                 = "${var.dist_dir}/layer.zip"
  source_code_hash         = filebase64sha256("${var.dist_dir}/layer.zip")
  compatible_runtimes      = ["python3.12"]
  compatible_architectures = ["arm64"]
}

module "function" {
  source             = "../function"
  for_each           = module.definitions.functions
  prefix             = local.prefix
  name               = each.key
  function           = each.value
  package_path       = "${var.dist_dir}/${each.key}.zip"
  layer_arns         = [aws_lambda_layer_version.dependencies.arn]
  queue_arns         = { for name, queue in module.queue : name => queue.queue_arn }
  stream_arns        = { for key, table in module.table : key => table.stream_arn }
  kms_key            = local.key["compute"]
  log_key_arn        = try(local.key["logs"].arn, null)
  log_retention_days = var.log_retention_days
  tracing_mode       = var.tracing.lambda_mode
  # Queue consumers are capped so that a burst of events leaves the API its share of the account;
  # stream readers are bounded by the stream's shards.
  reserved_concurrency = length(module.definitions.triggers[each.key].queue) > 0 ? var.consumer_reserved_concurrency : null
}

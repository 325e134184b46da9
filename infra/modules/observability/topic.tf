resource "aws_sns_topic" "alarms" {
  #checkov:skip=CKV_AWS_26:With no customer managed key (dev only) the alarm topic is not encrypted: CloudWatch publishes only through a key whose policy names it, which no AWS managed key does; its messages are alarm names and states, no task data
  name              = "${var.prefix}-alarms"
  kms_master_key_id = var.kms_key_arn
}

resource "aws_sns_topic_subscription" "email" {
  count     = var.alarm_email == null ? 0 : 1
  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = var.alarm_email
}

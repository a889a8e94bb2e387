mailform {
  stack  = "acme"
  region = "us-west-2"
}

topic "alerts" {}

account {
  alarms {
    bounce_percent     = 0
    complaint_percent  = 0.2
    period_minutes     = 1440
    evaluation_periods = 8
    notify = [
      topic.alert,
      mta.mta1,
      "arn:aws:sns:eu-west-1:123456789012:oncall",
      "oncall",
    ]
  }
}

mailform {
  stack  = "acme"
  region = "us-west-2"
}

account {
  alarms {
    notify = []
  }
  alarms {
    notify = ["arn:aws:sns:us-west-2:123456789012:oncall"]
  }
}

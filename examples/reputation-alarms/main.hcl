# An SES account whose bounce and complaint rates are watched: CloudWatch
# alarms on SES's reputation metrics tell the on-call team before the rates
# reach the levels at which AWS reviews the account (5% bounces, 0.1%
# complaints) or pauses its sending.
#
#   mailform validate examples/reputation-alarms
#   mailform plan     examples/reputation-alarms

mailform {
  stack  = "acme-prod"
  region = "us-west-2"
}

# The on-call topic; the alarms publish to it (mailform lets CloudWatch of
# this account, and no other, publish in the topic policy).
topic "oncall" {}

account {
  suppression = ["BOUNCE", "COMPLAINT"]

  # One alarm on Reputation.BounceRate and one on Reputation.ComplaintRate.
  alarms {
    bounce_percent     = 4    # AWS reviews the account at 5%
    complaint_percent  = 0.08 # and at 0.1%
    period_minutes     = 60   # SES updates the rates over time, not per message
    evaluation_periods = 1

    # Topics of the spec, or any SNS topic ARN of the same region (a pager
    # integration owned by another team, for instance).
    notify = [
      topic.oncall,
      "arn:aws:sns:us-west-2:123456789012:pager-escalation",
    ]
  }
}

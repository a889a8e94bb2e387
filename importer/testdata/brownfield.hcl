# Written by mailform import from what region us-west-2 of the account holds.
# Review it, then adopt what it declares: mailform plan -adopt-file adopt.txt
mailform {
  stack  = "acme-prod"
  region = "us-west-2"
}

zone "acme.example" {}

zone "old.example" {}

topic "feedback" {
  queue {
    retention_days = 14
  }
}

configuration_set "default" {
  suppression = ["BOUNCE", "COMPLAINT"]
  tls_policy  = "require"
  event_destination "feedback" {
    types = ["BOUNCE", "COMPLAINT"]
    topic = topic.feedback
  }
}

domain "acme.example" {
  configuration_set = configuration_set.default
  mail_from {
    subdomain = "bounce"
  }
  spf {
    include = ["amazonses.com"]
    all     = "softfail"
  }
  dmarc {
    policy = "quarantine"
    rua    = ["mailto:dmarc@acme.example"]
  }
  notifications {
    bounce     = topic.feedback
    complaint  = topic.feedback
    forwarding = false
  }
}

domain "old.example" {
  dkim {
    key_length = 1024
  }
  mail_from {
    subdomain     = "mail"
    on_mx_failure = "reject"
  }
}

email "alerts@partner.example" {
  configuration_set = configuration_set.default
}

# Adopting keeps the access key in use, and its SMTP password, which mailform
# cannot read: nothing is stored at credentials until you rotate with
# mailform apply -replace smtp_user.webapp_smtp
smtp_user "webapp_smtp" {
  user_name    = "webapp-smtp"
  path         = "/apps/"
  allowed_from = ["*@acme.example"]
  credentials  = "ssm:/acme-prod/smtp/webapp_smtp"
}

mta "mx1" {
  hostname      = "mx1.acme.example"
  instance_id   = "i-0123456789abcdef0"
  allocation_id = "eipalloc-0123456789abcdef0"
}

record "_dmarc.old.example" "TXT" {
  ttl    = 3600
  values = ["v=DMARC1; p=none; fo=1"]
}

account {
  suppression = ["BOUNCE"]
  alarms {
    bounce_percent     = 3.5
    complaint_percent  = 0.05
    period_minutes     = 30
    evaluation_periods = 2
    notify             = ["arn:aws:sns:us-west-2:123456789012:pager"]
  }
}

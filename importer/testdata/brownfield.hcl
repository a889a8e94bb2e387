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

record "_dmarc.old.example" "TXT" {
  ttl    = 3600
  values = ["v=DMARC1; p=none; fo=1"]
}

account {
  suppression = ["BOUNCE"]
}

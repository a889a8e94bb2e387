mailform {
  stack  = "acme-prod"
  region = "us-west-2"
}

zone "acme.example" {}

topic "feedback" {}

domain "acme.example" {
  configuration_set = configuration_set.default

  spf {
    include = ["_spf.google.com", "mailgun.org", "spf.protection.outlook.com", "sendgrid.net"]
    a       = true
    mx      = true
  }

  dmarc {
    policy = "reject"
    rua    = ["mailto:dmarc@acme.example"]
    ruf    = ["forensic@acme.example"]
  }

  notifications {
    bounce     = topic.feedback
    forwarding = false
  }
}

record "www.acme.example" "A" {
  ttl    = 10
  values = ["192.0.2.10"]
}

mailform {
  stack  = "acme-prod"
  region = "us-west-2"
}

zone "acme.example" {}

topic "feedback" {
  queue {
    retention_days = 30
  }
}

configuration_set "default" {
  tls_policy = "required"
}

domain "acme.example" {
  mail_from {
    subdomain     = "bounce"
    on_mx_failure = "bounce"
  }
}

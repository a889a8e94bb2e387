mailform {
  stack  = "acme-prod"
  region = "us-west-2"
}

zone "acme.example" {}

domain "acme.example" {
  notifications {
    bounce    = topic.bounces
    complaint = topic.bounces
  }
}

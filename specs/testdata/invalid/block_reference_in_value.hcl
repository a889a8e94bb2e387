mailform {
  stack  = "acme-prod"
  region = "us-west-2"
}

zone "acme.example" {}

topic "feedback" {}

domain "acme.example" {
  dmarc {
    policy = "reject"
    rua    = [topic.feedback]
  }
}

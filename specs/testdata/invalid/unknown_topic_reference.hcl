mailform {
  stack  = "acme-prod"
  region = "us-west-2"
}

zone "acme.example" {}

topic "feedback" {}

configuration_set "default" {
  event_destination "feedback" {
    types = ["BOUNCE"]
    topic = topic.feedbak
  }
}

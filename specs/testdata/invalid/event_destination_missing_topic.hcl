mailform {
  stack  = "acme-prod"
  region = "us-west-2"
}

configuration_set "default" {
  event_destination "feedback" {
    types = []
  }
}

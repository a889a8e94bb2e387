mailform {
  stack  = "acme-prod"
  region = "us-west-2"
}

topic "t" {}

configuration_set "default" {
  event_destination "d1" {
    types = ["BOUNCE"]
    topic = topic.t
  }
  event_destination "d2" {
    types = ["BOUNCE"]
    topic = topic.t
  }
  event_destination "d3" {
    types = ["BOUNCE"]
    topic = topic.t
  }
  event_destination "d4" {
    types = ["BOUNCE"]
    topic = topic.t
  }
  event_destination "d5" {
    types = ["BOUNCE"]
    topic = topic.t
  }
  event_destination "d6" {
    types = ["BOUNCE"]
    topic = topic.t
  }
  event_destination "d7" {
    types = ["BOUNCE"]
    topic = topic.t
  }
  event_destination "d8" {
    types = ["BOUNCE"]
    topic = topic.t
  }
  event_destination "d9" {
    types = ["BOUNCE"]
    topic = topic.t
  }
  event_destination "d10" {
    types = ["BOUNCE"]
    topic = topic.t
  }
  event_destination "d11" {
    types = ["BOUNCE"]
    topic = topic.t
  }
}

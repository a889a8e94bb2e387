# A platform that sends for 120 customer brands, each its own SES domain
# identity, all under one Route 53 zone. domains.hcl is generated:
#
#   go generate ./examples/many-domains
#   go run ./examples/many-domains/gen -n 500 -layout zone-per-domain -o domains.hcl
#
# A plan reads each zone once (paginated) and writes one change batch per
# zone, so 120 domains cost a handful of Route 53 calls, not hundreds.

mailform {
  stack  = "brands"
  region = "eu-central-1"
}

topic "feedback" {
  queue {
    retention_days = 7
  }
}

configuration_set "default" {
  suppression = ["BOUNCE", "COMPLAINT"]

  event_destination "feedback" {
    types = ["BOUNCE", "COMPLAINT"]
    topic = topic.feedback
  }
}

account {
  suppression = ["BOUNCE", "COMPLAINT"]
}

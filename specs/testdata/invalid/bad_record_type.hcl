mailform {
  stack  = "acme-prod"
  region = "us-west-2"
}

zone "acme.example" {}

record "acme.example" "SPF" {
  values = ["v=spf1 -all"]
}

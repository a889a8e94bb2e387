mailform {
  stack  = "acme-prod"
  region = "us-west-2"
}

zone "acme.example" {}

record "www.acme.example" "A" {
  ttl    = "one hour"
  values = ["192.0.2.10"]
}

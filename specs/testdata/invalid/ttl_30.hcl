mailform {
  stack  = "acme-prod"
  region = "us-west-2"
}

zone "acme.example" {}

record "www.acme.example" "A" {
  ttl    = 30
  values = ["192.0.2.10"]
}

mailform {
  stack  = "acme-prod"
  region = "us-west-2"
}

zone "acme.example" {}

record "acme.example" "MX" {
  values = ["mx1.acme.example"]
}

record "www.acme.example" "A" {
  values = ["192.0.2.300"]
}

record "www.acme.example" "AAAA" {
  values = ["192.0.2.10"]
}

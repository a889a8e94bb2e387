mailform {
  stack  = "acme-prod"
  region = "us-west-2"
}

zone "acme.example" {}

record "www.acme.example" "CNAME" {
  values = ["a.cdn.example", "b.cdn.example"]
}

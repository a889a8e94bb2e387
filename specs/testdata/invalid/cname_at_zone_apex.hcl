mailform {
  stack  = "acme-prod"
  region = "us-west-2"
}

zone "acme.example" {}

record "acme.example" "CNAME" {
  values = ["www.acme.example"]
}

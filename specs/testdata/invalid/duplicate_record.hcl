mailform {
  stack  = "acme-prod"
  region = "us-west-2"
}

zone "acme.example" {}

record "acme.example" "MX" {
  values = ["10 mx1.acme.example."]
}

record "acme.example" "mx" {
  values = ["20 mx2.acme.example."]
}

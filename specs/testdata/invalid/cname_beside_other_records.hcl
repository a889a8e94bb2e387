mailform {
  stack  = "acme-prod"
  region = "us-west-2"
}

zone "acme.example" {}

record "www.acme.example" "CNAME" {
  values = ["acme.example.cdn.example."]
}

record "www.acme.example" "TXT" {
  values = ["site-verification=abc123"]
}

mailform {
  stack  = "acme-prod"
  region = "us-west-2"
}

zone "acme.example" {}

record "www.acme.example" "TXT" {
  values = [
    "v=spf1 include:amazonses.com ~all",
    "v=spf1 include:_spf.google.com ~all",
  ]
}

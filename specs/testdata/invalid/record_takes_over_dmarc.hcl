mailform {
  stack  = "acme-prod"
  region = "us-west-2"
}

zone "acme.example" {}

domain "acme.example" {
  dmarc {
    policy = "reject"
  }
}

record "_dmarc.acme.example" "TXT" {
  values = ["v=DMARC1; p=none"]
}

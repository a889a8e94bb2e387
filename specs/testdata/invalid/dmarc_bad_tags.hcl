mailform {
  stack  = "acme-prod"
  region = "us-west-2"
}

zone "acme.example" {}

domain "acme.example" {
  dmarc {
    policy = "reject"
    pct    = 150
    adkim  = "s"
    ruf    = ["mailto:forensic"]
  }
}

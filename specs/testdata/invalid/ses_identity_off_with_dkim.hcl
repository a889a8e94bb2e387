mailform {
  stack  = "acme-prod"
  region = "us-west-2"
}

zone "acme.example" {}

domain "acme.example" {
  ses_identity = false
  dkim {
    mode = "easy"
  }
}

mailform {
  stack  = "acme-prod"
  region = "us-west-2"
}

zone "acme.example" {}

domain "acme.example" {
  dkim {
    mode = "manual"
  }
}

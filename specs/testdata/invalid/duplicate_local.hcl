mailform {
  stack  = "acme-prod"
  region = "us-west-2"
}

zone "acme.example" {}

locals {
  prefix = "/acme"
}

locals {
  prefix = "/other"
}

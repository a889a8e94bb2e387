mailform {
  stack  = "acme-prod"
  region = "us-west-2"
}

zone "acme.example" {}

locals {
  a = "${local.b}-x"
  b = "${local.a}-y"
}

mailform {
  stack  = "acme-prod"
  region = "us-west-2"
}

zone "acme.example" {}

configuration_set "default" {}

domain "acme.example" {
  configuraton_set = configuration_set.default
}

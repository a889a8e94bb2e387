mailform {
  stack  = "acme-prod"
  region = "us-west-3"
}

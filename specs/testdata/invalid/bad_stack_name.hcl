mailform {
  stack  = "Acme_Prod"
  region = "us-west-2"
}

mailform {
  stack  = "acme-prod"
  region = "us-west-2"
}

zone "acme.example" {}

topic "Feedback Topic" {}

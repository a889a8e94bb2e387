mailform {
  stack  = "acme-prod"
  region = "us-west-2"
}

zone "acme.example" {}

domain "acme.example" {
  dkim {
    mode        = "byo"
    selector    = "s1"
    private_key = "ssm:/acme/dkim/ses"
  }
}

dkim_key "mta1" {
  domain      = "acme.example"
  selector    = "s1"
  private_key = "ssm:/acme/dkim/mta1"
}

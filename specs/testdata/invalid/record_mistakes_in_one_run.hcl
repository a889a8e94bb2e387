# Six record mistakes: validate reports them all in one run.
mailform {
  stack  = "acme"
  region = "us-west-2"
}

zone "acme.example" {}

domain "acme.example" {
  spf {}
}

record "acme.example" "MXX" {
  values = ["10 mx.acme.example"]
}

record "www.acme.example" "A" {
  values = ["300.1.1.1"]
}

record "acme.example" "TXT" {
  values = ["v=spf1 -all"]
}

record "acme.example" "CNAME" {
  values = ["other.example"]
}

record "mail.acme.example" "CNAME" {
  values = ["a.example"]
}

record "mail.acme.example" "A" {
  values = ["1.2.3.4"]
}

record "_mailform.acme.example" "TXT" {
  values = ["owner"]
}

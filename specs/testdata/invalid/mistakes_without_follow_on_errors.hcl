# Four mistakes give four errors: a duplicate block adds no record-set error of its own.
mailform {
  stack  = "acme"
  region = "us-west-2"
}
zone "acme.example" {}
domain "acme.example" {
  spf {}
  dmarc { policy = "none" }
  configuration_set = configuration_set.missing
}
domain "ACME.example" {
  spf {}
  dmarc { policy = "none" }
}
smtp_user "app" {
  credentials = "vault:/x"
}
mta "m1" {
  hostname = "mx.acme.example"
}
domain "b.acme.example" {
  spf { mtas = [mta.m2] }
}

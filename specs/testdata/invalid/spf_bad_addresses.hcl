mailform {
  stack  = "acme-prod"
  region = "us-west-2"
}

zone "acme.example" {}

domain "acme.example" {
  spf {
    ip4 = ["192.0.2.0/33", "2001:db8::1"]
    ip6 = ["2001:db8::/129"]
    all = "pass"
  }
}

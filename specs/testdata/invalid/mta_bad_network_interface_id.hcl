mailform {
  stack  = "acme-prod"
  region = "us-west-2"
}

zone "acme.example" {}

mta "mta1" {
  hostname             = "mta1.acme.example"
  network_interface_id = "i-0abc1234def567890"
}

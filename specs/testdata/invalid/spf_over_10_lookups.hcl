mailform {
  stack  = "acme-prod"
  region = "us-west-2"
}

zone "acme.example" {}

domain "acme.example" {
  spf {
    include = [
      "amazonses.com",
      "_spf.google.com",
      "spf.protection.outlook.com",
      "mailgun.org",
      "servers.mcsv.net",
      "spf.crm-vendor.example",
    ]
    mx = true
  }
}

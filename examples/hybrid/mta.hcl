# The legacy billing system's own MTA.

mta "legacy" {
  hostname    = "legacy-mta.globex.example"
  reverse_dns = true
}

dkim_key "legacy" {
  domain      = "globex.example"
  selector    = "legacy"
  private_key = "file:secrets/legacy-dkim.pem" # kept beside the spec, mode 0600
}

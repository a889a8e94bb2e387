# An organisation that runs its own mail servers (Postfix, say) on EC2 and
# signs with its own DKIM keys. mailform gives each server an Elastic IP, an
# A record and reverse DNS, keeps the DKIM keys in SSM and publishes them, and
# writes the domain's MX, SPF and DMARC records.
#
# Before the servers can send, AWS must lift the port-25 limit:
#   mailform requests port25 examples/ec2-mta

mailform {
  stack  = "northwind-mta"
  region = "eu-west-1"
}

zone "northwind.example" {}

# Two MTAs. Each gets an Elastic IP tagged with the stack, the A record
# <hostname> -> IP, and the PTR record IP -> <hostname> once the A record
# resolves (reverse DNS needs the forward record first).
mta "mx1" {
  hostname    = "mx1.northwind.example"
  instance_id = "i-0abc1234def567890" # associate the Elastic IP with the running server
  reverse_dns = true
}

mta "mx2" {
  hostname    = "mx2.northwind.example"
  reverse_dns = true
}

# One DKIM key per server, so a key can be rotated on one server at a time.
# mailform generates the key in SSM when it is absent and publishes
# <selector>._domainkey.northwind.example with the public half.
dkim_key "mx1" {
  domain      = "northwind.example"
  selector    = "mx1"
  key_length  = 2048
  private_key = "ssm:/northwind/mail/dkim/mx1"
}

dkim_key "mx2" {
  domain      = "northwind.example"
  selector    = "mx2"
  private_key = "ssm:/northwind/mail/dkim/mx2"
}

# The domain's own SPF and DMARC records. SES sends nothing for it, so
# ses_identity = false: no SES identity, only the records. The MTAs sign with
# the dkim_key blocks above.
domain "northwind.example" {
  ses_identity = false

  # The servers' addresses are known only after apply; the plan shows the
  # value as "(known after apply)" until the Elastic IPs exist.
  spf {
    mtas = [mta.mx1, mta.mx2]
    all  = "fail"
  }

  dmarc {
    policy           = "reject"
    subdomain_policy = "reject"
    rua              = ["mailto:dmarc-reports@northwind.example"]
    adkim            = "strict"
  }
}

# Inbound mail for the domain goes to the same servers.
record "northwind.example" "MX" {
  ttl    = 3600
  values = ["10 mx1.northwind.example.", "20 mx2.northwind.example."]
}

# Details for the port-25 and reverse-DNS request texts.
requests {
  contact_email = "postmaster@northwind.example"
  use_case      = "Transactional mail (order confirmations, password resets) for northwind.example customers, sent from our own Postfix servers with DKIM, SPF and DMARC."
}

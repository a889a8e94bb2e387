package specs

// The addresses of the resources a block expands into: the block's own
// resource, and under it ("ADDR/part") the records and keys it publishes.

// Addr is the address of a domain block: its SES identity.
func (d Domain) Addr() string { return "domain." + d.Name }

// Addr is the address of an mta block: its Elastic IP.
func (m MTA) Addr() string { return "mta." + m.Label }

// Addr is the address of a dkim_key block: its key pair.
func (k DKIMKey) Addr() string { return "dkim_key." + k.Label }

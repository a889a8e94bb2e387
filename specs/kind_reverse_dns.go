package specs

// KindReverseDNS is the PTR record AWS serves for the Elastic IP of an mta
// block with reverse_dns = true (docs/resources.md, `ec2.reverse_dns`,
// address `mta.<label>/ptr`). It is read and changed by the EC2 provider.
const KindReverseDNS Kind = "ec2.reverse_dns"

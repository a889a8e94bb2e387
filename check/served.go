package check

import (
	"context"
	"fmt"
	"slices"

	"github.com/miekg/dns"

	"github.com/mailform/mailform/internal/dnsvalue"
)

// Served asks r for the records of type rtype at name and returns their
// values in Route 53's form, sorted (none for NXDOMAIN or an empty answer).
// An error means no answer could be had.
func Served(ctx context.Context, r Resolver, name, rtype string) ([]string, error) {
	qtype, ok := dns.StringToType[rtype]
	if !ok {
		return nil, fmt.Errorf("unknown record type %s", rtype)
	}
	resp, err := r.Lookup(ctx, name, qtype)
	if err != nil {
		return nil, err
	}
	return servedValues(resp, name, qtype), nil
}

// Serves reports whether served (as Served returns it) holds value, given in
// Route 53's form: TXT quoted or not, names with or without the final dot.
func Serves(served []string, rtype, value string) bool {
	return slices.Contains(served, dnsvalue.Value(rtype, value))
}

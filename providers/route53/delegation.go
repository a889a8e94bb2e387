package route53

import (
	"fmt"
	"sort"
	"strings"

	"github.com/mailform/mailform/internal/dnsvalue"
	"github.com/mailform/mailform/providers"
)

// delegated returns, for each wanted record of a zone whose name lies at or
// under an NS delegation inside the zone, a problem naming the delegation:
// Route 53 would store the record in the parent zone, where resolvers never
// look (they follow the NS set to the subzone's name servers). The NS and DS
// sets at the delegation point itself belong in the parent and are fine.
func delegated(st *zoneState, wanted []record) providers.Problems {
	apex := dnsvalue.Name(st.zone.Name)
	var cuts []*rrset
	for k, s := range st.sets {
		if k.Type == "NS" && k.Name != apex {
			cuts = append(cuts, s)
		}
	}
	if len(cuts) == 0 {
		return nil
	}
	// The longest delegation first: it is the one that answers.
	sort.Slice(cuts, func(i, j int) bool { return len(cuts[i].key().Name) > len(cuts[j].key().Name) })
	var out providers.Problems
	for _, r := range wanted {
		if r.Name == "" {
			continue
		}
		for _, s := range cuts {
			cut := s.key().Name
			if r.Name != cut && !strings.HasSuffix(r.Name, "."+cut) {
				continue
			}
			if r.Name == cut && (r.Type == "NS" || r.Type == "DS") {
				break
			}
			sub := strings.TrimSuffix(cut, ".")
			out = append(out, providers.Problem{
				Addr: r.Addr,
				Summary: fmt.Sprintf("%s %s would be written where nobody serves it: zone %s delegates %s to other name servers (%s)",
					strings.TrimSuffix(r.Name, "."), r.Type, strings.TrimSuffix(apex, "."), sub, strings.Join(s.values(), ", ")),
				Detail: fmt.Sprintf("Resolvers follow the NS record set %s to the subzone's own name servers and never see records of %s below it. "+
					"Declare the subzone so that mailform writes its records there: zone %q {} (a hosted zone of this account), "+
					"or publish them at the DNS provider that serves %s.", cut, strings.TrimSuffix(apex, "."), sub, sub),
			})
			break
		}
	}
	return out
}

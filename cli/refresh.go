package cli

import (
	"flag"

	"github.com/mailform/mailform/providers/ses"
)

// refreshFlag is -refresh of plan, apply and check: how much of each SES
// identity they read (providers/ses identity_batch.go).
type refreshFlag struct{ value ses.Refresh }

func (f *refreshFlag) String() string {
	if f == nil || f.value == "" {
		return string(ses.RefreshBatch)
	}
	return string(f.value)
}

func (f *refreshFlag) Set(s string) error {
	r, err := ses.ParseRefresh(s)
	if err != nil {
		return err
	}
	f.value = r
	return nil
}

func (f *refreshFlag) register(fs *flag.FlagSet) {
	fs.Var(f, "refresh", "how SES identities are read: `batch` reads 100 identities a call (about 4 SES calls per 100 "+
		"identities; changes made outside mailform to an identity's default configuration set, DKIM key length or "+
		"BYODKIM selector go unseen), full describes each identity (1 SES call each, 1 a second at SES's limit: "+
		"about 17 minutes per 1,000) and sees them too (docs/performance.md)")
}

// apply makes the SES provider of s read as f says.
func (f *refreshFlag) apply(s *session) {
	if s != nil && s.services.ses != nil {
		s.services.ses.SetRefresh(f.value)
	}
}

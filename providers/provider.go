// Package providers defines how mailform reads and changes AWS: one package
// per AWS service below this one, each behind a narrow interface over the SDK
// client it uses. Providers read live state in bulk and carry out planned
// changes, batching where the API allows. They never decide what should
// change: that is the plan's job.
package providers

import (
	"context"

	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/specs"
)

// Provider reads and changes the resources of some kinds.
type Provider interface {
	// Kinds lists the resource kinds this provider reads and changes.
	Kinds() []specs.Kind

	// Read returns the observed state, in bulk, of every resource of its kinds
	// that carries the ownership mark of stack, and of every resource that
	// desired names (whoever owns it, so that plan can refuse to take over
	// what it does not own). Only desired resources of the provider's kinds
	// are passed.
	Read(ctx context.Context, stack string, desired []specs.Resource) ([]plan.Observed, error)

	// Apply carries out changes of the provider's kinds. Every change given is
	// ready: what it depends on is done and its Deferred values are resolved
	// as far as they can be. A provider may batch them (Route 53: one change
	// batch per zone). It reports one Result per change, in any order.
	Apply(ctx context.Context, req ApplyRequest) []Result
}

// ApplyRequest is one call of Provider.Apply.
type ApplyRequest struct {
	Stack   string
	Region  string
	Changes []plan.Change
	// Manual lists the addresses of the records the plan leaves to the
	// user to publish at their own DNS provider (dns.manual_record). Apply
	// never writes them, yet AWS may need them: it sets a PTR only once
	// the A record resolves, however that record is published.
	Manual []string
	// Applied lists, sorted, the addresses of the changes this run has
	// already carried out. A provider may need to know that something it
	// depends on was written only seconds ago: AWS sets a PTR only once it
	// sees the A record, which a fresh record may not be yet.
	Applied []string
	// Progress reports something slow under way for one resource ("waiting
	// for Route 53 change /change/C12 to be INSYNC"). It may be nil.
	Progress func(addr, message string)
}

// Result is the outcome of one change.
type Result struct {
	Addr string
	// Observed is the resource's state after the change (nil after a delete,
	// or on error). Apply uses it to fill Deferred values of later changes.
	Observed *plan.Observed
	// Err says why the change failed; the resource was left as it was, or
	// as far as Message says. It does not name the address: apply adds it
	// (apply.ResourceError), as it does to every failure it reports.
	Err error
	// Message is shown to the user with the result ("SES mailed a
	// verification link to alerts@partner.example").
	Message string
}

// Report sends a progress message if the request has a Progress function.
func (r ApplyRequest) Report(addr, message string) {
	if r.Progress != nil {
		r.Progress(addr, message)
	}
}

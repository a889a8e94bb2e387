package requests

import (
	"fmt"
	"strings"

	"github.com/mailform/mailform/specs"
)

// Submission is what `mailform requests production-access -submit` should
// do: send Request, or send nothing and say why.
type Submission struct {
	Send    bool
	Reason  string // why nothing is sent, when Send is false
	Request ProductionAccessRequest
}

// ProductionAccessRequest holds the fields of PutAccountDetails, from
// account.production_access.
type ProductionAccessRequest struct {
	MailType           string
	WebsiteURL         string
	ContactLanguage    string
	UseCase            string
	AdditionalContacts []string
}

// RefusedError says why a submission is refused: required checklist items
// fail and -force was not given.
type RefusedError struct {
	Failing []Item
}

func (e *RefusedError) Error() string {
	var lines []string
	for _, it := range e.Failing {
		lines = append(lines, fmt.Sprintf("  %s: %s (%s; found %s)", it.Subject, it.Check, it.Status, it.Found))
	}
	return fmt.Sprintf("not submitting the production-access request: %d required checklist items do not hold:\n%s", len(e.Failing), strings.Join(lines, "\n"))
}

// Hint says how to go on.
func (e *RefusedError) Hint() string {
	return "fix them (the checklist above says how) and run -submit again, or add -force to submit as things are"
}

// DecideSubmit says whether to send the production-access request, given
// the document ProductionAccess built from the same facts. It sends nothing
// when production access is already on or a review is PENDING (neither is
// an error). It refuses, with a *RefusedError, while required checklist
// items fail, unless force; and fails when the spec has no
// production_access block.
func DecideSubmit(spec *specs.Spec, facts Facts, doc *Document, force bool) (Submission, error) {
	if facts.Account == nil {
		return Submission{}, fmt.Errorf("deciding on the production-access request needs the SES account status of %s", spec.Region)
	}
	a := facts.Account
	if r := a.Request; r != nil && r.ReviewStatus == "PENDING" {
		return Submission{Reason: fmt.Sprintf("A review of an earlier request is PENDING (case %s): nothing was sent. AWS accepts no new details until it ends.", orNone(nonEmpty(r.CaseID), "-"))}, nil
	}
	if a.ProductionAccess {
		return Submission{Reason: "Production access is already enabled in " + regionOf(spec, facts) + ": nothing was sent."}, nil
	}
	if spec.Account == nil || spec.Account.ProductionAccess == nil {
		return Submission{}, errNoProductionAccess
	}
	if failing := doc.Failing(); len(failing) > 0 && !force {
		return Submission{}, &RefusedError{Failing: failing}
	}
	p := spec.Account.ProductionAccess
	return Submission{Send: true, Request: ProductionAccessRequest{
		MailType:           p.MailType,
		WebsiteURL:         p.WebsiteURL,
		ContactLanguage:    p.ContactLanguage,
		UseCase:            strings.TrimSpace(p.UseCase),
		AdditionalContacts: append([]string(nil), p.AdditionalContacts...),
	}}, nil
}

func regionOf(spec *specs.Spec, facts Facts) string {
	if facts.Region != "" {
		return facts.Region
	}
	return spec.Region
}

// The documents, by the names the command line uses.
const (
	KindPort25           = "port25"
	KindReverseDNS       = "rdns"
	KindProductionAccess = "production-access"
)

// Kinds lists the documents in the order the command line shows them.
var Kinds = []string{KindPort25, KindReverseDNS, KindProductionAccess}

// CheckSpec reports, without any observed state, whether the spec has what
// the document of kind needs: a *MissingInputError when it does not, so
// that the command line can say so before contacting AWS.
func CheckSpec(kind string, spec *specs.Spec) error {
	switch kind {
	case KindPort25:
		if spec.Requests == nil {
			return errNoRequestsBlock
		}
	case KindReverseDNS:
		if len(spec.MTAs) == 0 {
			return errNoMTAs
		}
	case KindProductionAccess:
	default:
		return fmt.Errorf("unknown request %q: want one of %s", kind, strings.Join(Kinds, ", "))
	}
	return nil
}

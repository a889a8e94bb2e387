package plan

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/mailform/mailform/specs"
)

// Ownership says whose an observed resource is, from one stack's point of view.
type Ownership int

const (
	// OwnedByStack: the resource carries this stack's mark. Mailform may change
	// and delete it.
	OwnedByStack Ownership = iota
	// Unowned: no mark. Mailform never changes or deletes it, unless the user
	// adopts it (-adopt ADDR), which adds the mark.
	Unowned
	// OwnedByOtherStack: another stack's mark. Never changed, never deleted,
	// never adoptable.
	OwnedByOtherStack
	// Singleton: account-wide settings (ses.account) that exist in every
	// account and carry no mark. Managed when declared, never deleted.
	Singleton
)

func (o Ownership) String() string {
	switch o {
	case OwnedByStack:
		return "owned"
	case Unowned:
		return "unowned"
	case OwnedByOtherStack:
		return "owned by another stack"
	case Singleton:
		return "account setting"
	}
	return fmt.Sprintf("Ownership(%d)", int(o))
}

// Classify tells whose the observed resource o is, from stack's point of view.
func Classify(o Observed, stack string) Ownership {
	switch {
	case o.Kind == specs.KindSESAccount:
		return Singleton
	case o.Owned(stack):
		return OwnedByStack
	case o.Owner == "":
		return Unowned
	}
	return OwnedByOtherStack
}

// Owned returns the observed resources that carry stack's ownership mark, in
// their original order: the only ones mailform may update or delete without
// being told to adopt them. An empty stack owns nothing.
func Owned(observed []Observed, stack string) []Observed {
	var out []Observed
	for _, o := range observed {
		if stack != "" && Classify(o, stack) == OwnedByStack {
			out = append(out, o)
		}
	}
	return out
}

// Deletable reports whether a plan for stack may delete o when the spec no
// longer declares it: only resources that carry stack's own mark.
// A DKIM key kept in a file is never deletable: a file cannot carry the
// mark, so mailform leaves it where the user put it, even under -destroy.
func Deletable(o Observed, stack string) bool {
	if o.Kind == specs.KindDKIMKey && strings.HasPrefix(o.ID, "file:") {
		return false
	}
	return stack != "" && Classify(o, stack) == OwnedByStack
}

// matchObserved picks, among the observed resources recorded at one address,
// the one a desired resource is compared with: this stack's own first (the
// lowest ID when there are several), else an unowned one, else another
// stack's. It also returns the extra resources owned by stack at the address.
func matchObserved(cands []Observed, stack string) (match Observed, found bool, extraOwned []Observed) {
	if len(cands) == 0 {
		return Observed{}, false, nil
	}
	sorted := append([]Observed(nil), cands...)
	sort.SliceStable(sorted, func(i, j int) bool {
		ri, rj := matchRank(sorted[i], stack), matchRank(sorted[j], stack)
		if ri != rj {
			return ri < rj
		}
		return sorted[i].ID < sorted[j].ID
	})
	match = sorted[0]
	for _, o := range sorted[1:] {
		if Classify(o, stack) == OwnedByStack {
			extraOwned = append(extraOwned, o)
		}
	}
	return match, true, extraOwned
}

func matchRank(o Observed, stack string) int {
	switch Classify(o, stack) {
	case OwnedByStack, Singleton:
		return 0
	case Unowned:
		return 1
	}
	return 2
}

// collision is the diagnostic for a declared resource that exists in AWS but
// is not this stack's. It returns nil when the plan may go on.
func collision(r specs.Resource, o Observed, stack string, adopt bool) *hcl.Diagnostic {
	name, service := describe(r.Kind, r.Attrs)
	if name == "" {
		name, service = describe(o.Kind, o.Attrs)
	}
	if name == "" {
		name = r.Addr
	}
	rng := r.DeclRange
	switch Classify(o, stack) {
	case Unowned:
		if adopt {
			return nil
		}
		return &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  fmt.Sprintf("%s already exists in %s and is not managed by stack %s", name, service, stack),
			Detail: fmt.Sprintf("mailform never changes what it did not create. If %s is yours to manage, adopt it: "+
				"`mailform apply -adopt %s` adds the ownership mark of stack %s (%s=%s) and makes it match the spec. "+
				"Otherwise remove or rename the block.", name, r.Addr, stack, specs.TagStack, stack),
			Subject: &rng,
		}
	case OwnedByOtherStack:
		return &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  fmt.Sprintf("%s already exists in %s and is managed by stack %s", name, service, o.Owner),
			Detail: fmt.Sprintf("Stack %s cannot take over a resource of stack %s, not even with -adopt. "+
				"Remove the block from one of the two specs, or give the resource another name.", stack, o.Owner),
			Subject: &rng,
		}
	}
	return nil
}

// describe names a resource the way its AWS service does, and the service.
func describe(kind specs.Kind, attrs map[string]any) (name, service string) {
	str := func(k string) string { s, _ := attrs[k].(string); return s }
	named := func(what, k string) string {
		if str(k) == "" {
			return ""
		}
		return what + " " + str(k)
	}
	switch kind {
	case specs.KindSESIdentity:
		return str("identity"), "SES"
	case specs.KindSESConfigSet:
		return named("configuration set", "name"), "SES"
	case specs.KindSESAccount:
		return "the account settings", "SES"
	case specs.KindSNSTopic:
		return named("topic", "name"), "SNS"
	case specs.KindSQSQueue:
		return named("queue", "name"), "SQS"
	case specs.KindAlarm:
		return named("alarm", "name"), "CloudWatch"
	case specs.KindSMTPUser:
		return named("user", "user_name"), "IAM"
	case specs.KindEIP:
		if ip := str("public_ip"); ip != "" {
			return "Elastic IP " + ip, "EC2"
		}
		if h := str("hostname"); h != "" {
			return "the Elastic IP of " + strings.TrimSuffix(h, "."), "EC2"
		}
		return "", "EC2"
	case specs.KindDKIMKey:
		loc := str("location")
		return loc, secretStore(loc)
	case specs.KindRoute53Record, specs.KindManualDNSRecord:
		if str("name") == "" {
			return "", "Route 53"
		}
		return fmt.Sprintf("record %s %s", str("name"), str("type")), "Route 53"
	}
	return "", "AWS"
}

// secretStore names the store a secret location points into.
func secretStore(location string) string {
	switch {
	case strings.HasPrefix(location, "ssm:"):
		return "SSM Parameter Store"
	case strings.HasPrefix(location, "secretsmanager:"):
		return "Secrets Manager"
	case strings.HasPrefix(location, "file:"):
		return "the local file system"
	}
	return "the secret store"
}

// secretLocation returns where a resource keeps its secret, for messages.
func secretLocation(attrs map[string]any) string {
	for _, k := range []string{"credentials", "location"} {
		if s, ok := attrs[k].(string); ok && s != "" {
			return s
		}
	}
	return "its secret store"
}

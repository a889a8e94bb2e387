package plan

import (
	"slices"

	"github.com/hashicorp/hcl/v2"

	"github.com/mailform/mailform/specs"
)

// Observed is one resource as AWS reports it now, as a provider read it.
//
// Attrs use the same names and normal forms as the desired specs.Resource of the
// same kind (docs/resources.md), plus observed-only attributes (ARNs, DKIM
// tokens, allocation IDs) that fill specs.Deferred placeholders.
type Observed struct {
	Addr  string     // the address recorded in the resource's ownership mark, or the desired address it collides with
	Kind  specs.Kind //
	ID    string     // AWS identifier: ARN, allocation ID, identity name, "zoneID/name/type"
	Owner string     // the stack named by the ownership mark; "" when unowned
	// Region is the region of the stack that marked this resource, for a
	// resource of a global service (an IAM user); "" when the mark does not
	// say. A stack lives in one region: a plan for another region refuses it.
	Region string
	// Unreadable says what part of the resource could not be read, and why
	// (a secret location that is not a readable file, a secret the caller may
	// not read). The plan reports it at the resource and plans the rest as if
	// that part were missing.
	Unreadable string
	// Notes are what the provider found and read around, for the user to
	// know (a record tag edited by hand); the plan reports each as a
	// warning at the resource, for the stack's resources only.
	Notes []string
	Attrs map[string]any //
}

// Owned reports whether the resource carries the ownership mark of stack.
func (o Observed) Owned(stack string) bool { return o.Owner != "" && o.Owner == stack }

// Action is what apply will do to one resource, written as Terraform does.
type Action string

const (
	NoOp    Action = "no-op"
	Create  Action = "create"
	Update  Action = "update"
	Replace Action = "replace" // delete then create (or create then delete where noted)
	Delete  Action = "delete"
	Manual  Action = "manual" // a record the user must publish at their own DNS provider
)

// Symbol is the one-character marker used in human output.
func (a Action) Symbol() string {
	switch a {
	case Create:
		return "+"
	case Update:
		return "~"
	case Replace:
		return "-/+"
	case Delete:
		return "-"
	case Manual:
		return "!"
	}
	return " "
}

// AttrDiff is one attribute that differs between live and desired state.
type AttrDiff struct {
	Name     string `json:"name"`
	Before   any    `json:"before,omitempty"`
	After    any    `json:"after,omitempty"`
	Unknown  bool   `json:"unknown,omitempty"`  // After is known only after apply
	Replaces bool   `json:"replaces,omitempty"` // changing it forces replacement
}

// Cause is one typed reason for a change. Providers decide from causes
// (an SMTP user rotates its access key when CauseRequested is among them),
// never from the words of Change.Reason, which are for people and may change.
type Cause string

const (
	CauseRequested     Cause = "requested"      // the user asked for a replacement (-replace)
	CauseImmutable     Cause = "immutable"      // a declared attribute cannot change in place
	CauseSecretMissing Cause = "secret_missing" // the secret the resource needs is missing from its store
	CauseAdopt         Cause = "adopt"          // an existing unowned resource gets the stack's mark (-adopt)
	CauseCleanup       Cause = "cleanup"        // leftovers of an interrupted run are removed
	CauseSharedSet     Cause = "shared_set"     // mailform's value joins a record set that holds values of others
	CauseRemoved       Cause = "removed"        // the spec no longer declares the resource
)

// knownCauses is every Cause a plan may hold.
var knownCauses = map[Cause]bool{
	CauseRequested: true, CauseImmutable: true, CauseSecretMissing: true, CauseAdopt: true,
	CauseCleanup: true, CauseSharedSet: true, CauseRemoved: true,
}

// Known reports whether c is one of the causes above: a plan file that names
// another was not written by this mailform.
func (c Cause) Known() bool { return knownCauses[c] }

// Because reports whether cause is among the change's causes.
func (c Change) Because(cause Cause) bool { return slices.Contains(c.Causes, cause) }

// Change is one resource's planned action. Before is the observed state (nil on
// create), After the desired state (nil on delete).
type Change struct {
	Addr      string         `json:"address"`
	Kind      specs.Kind     `json:"kind"`
	Action    Action         `json:"action"`
	ID        string         `json:"id,omitempty"`
	Before    map[string]any `json:"before,omitempty"`
	After     map[string]any `json:"after,omitempty"`
	Diffs     []AttrDiff     `json:"diffs,omitempty"`
	DependsOn []string       `json:"depends_on,omitempty"` // changes that must be done first; for a delete, the dependents removed or updated before it
	Reason    string         `json:"reason,omitempty"`     // why, in words for people, when it is not obvious (e.g. "key_length changed")
	Causes    []Cause        `json:"causes,omitempty"`     // why, as data: what apply and the providers decide from (never from Reason)
	Adopt     bool           `json:"adopt,omitempty"`      // apply adds the plan's stack ownership mark to an existing unowned resource
	DeclRange hcl.Range      `json:"-"`
}

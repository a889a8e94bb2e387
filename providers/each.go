package providers

import (
	"fmt"
	"strings"

	"github.com/mailform/mailform/plan"
)

// Steps is what a provider that changes one resource at a time does for
// each action of a change.
type Steps struct {
	// Noun names one resource in the refusal of an action ("a topic").
	Noun string
	// Ensure makes the resource what c.After describes (Create, Update,
	// and Replace).
	Ensure func(c plan.Change) (*plan.Observed, string, error)
	// Delete removes the resource c.Before describes.
	Delete func(c plan.Change) (string, error)
	// Renamed reports whether a Replace changes the resource's name, so that
	// the old resource is deleted before Ensure makes the new one; nil when
	// Ensure replaces in place.
	Renamed func(c plan.Change) bool
}

// ApplyEach carries out req's changes one after the other with s, and
// reports one Result per change, in order. A failed change has no Observed
// state; apply adds the change's address to its error.
func ApplyEach(req ApplyRequest, s Steps) []Result {
	out := make([]Result, 0, len(req.Changes))
	for _, c := range req.Changes {
		res := Result{Addr: c.Addr}
		var err error
		switch c.Action {
		case plan.Create, plan.Update:
			res.Observed, res.Message, err = s.Ensure(c)
		case plan.Replace:
			if s.Renamed != nil && s.Renamed(c) {
				res.Message, err = s.Delete(c)
			}
			if err == nil {
				var msg string
				res.Observed, msg, err = s.Ensure(c)
				res.Message = JoinMessages(res.Message, msg)
			}
		case plan.Delete:
			res.Message, err = s.Delete(c)
		case plan.NoOp:
		default:
			err = fmt.Errorf("action %q is not one %s takes", c.Action, s.Noun)
		}
		if err != nil {
			res.Observed = nil
			res.Err = err
		}
		out = append(out, res)
	}
	return out
}

// JoinMessages joins the messages that are not empty with "; ", as one
// Result's Message.
func JoinMessages(msgs ...string) string {
	var out []string
	for _, m := range msgs {
		if m != "" {
			out = append(out, m)
		}
	}
	return strings.Join(out, "; ")
}

package providers

import (
	"fmt"
	"strings"
)

// Problem is something wrong with one desired resource that only live state
// shows (a record under a subzone the account delegates elsewhere). Plan
// reports it as an error at the resource's block; it does not stop reading.
type Problem struct {
	Addr    string // the desired resource
	Summary string // one line, naming what was found
	Detail  string // what it means and how to fix it
}

// Problems is the error a Provider's Read returns, together with its
// complete observed state, when the only trouble is problems of desired
// resources. Commands that plan report them at their blocks; the others may
// use the observed state and ignore them.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = fmt.Sprintf("%s: %s", p.Addr, p.Summary)
	}
	return strings.Join(lines, "\n")
}

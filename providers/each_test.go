package providers

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mailform/mailform/plan"
)

func TestApplyEach(t *testing.T) {
	var calls []string
	s := Steps{
		Noun: "a widget",
		Ensure: func(c plan.Change) (*plan.Observed, string, error) {
			calls = append(calls, "ensure "+c.Addr)
			if c.Addr == "w.fails" {
				return &plan.Observed{Addr: c.Addr}, "", errors.New("refused")
			}
			return &plan.Observed{Addr: c.Addr}, "made " + c.Addr, nil
		},
		Delete: func(c plan.Change) (string, error) {
			calls = append(calls, "delete "+c.Addr)
			if c.Addr == "w.stuck" {
				return "", errors.New("in use")
			}
			return "deleted " + c.Addr, nil
		},
		Renamed: func(c plan.Change) bool { return c.ID != "" },
	}
	changes := []plan.Change{
		{Addr: "w.new", Action: plan.Create},
		{Addr: "w.fails", Action: plan.Update},
		{Addr: "w.renamed", Action: plan.Replace, ID: "old"},
		{Addr: "w.inplace", Action: plan.Replace},
		{Addr: "w.stuck", Action: plan.Replace, ID: "old"},
		{Addr: "w.gone", Action: plan.Delete},
		{Addr: "w.same", Action: plan.NoOp},
		{Addr: "w.odd", Action: plan.Action("import")},
	}
	var got []string
	for _, r := range ApplyEach(ApplyRequest{Changes: changes}, s) {
		got = append(got, fmt.Sprintf("%s observed=%v message=%q err=%v", r.Addr, r.Observed != nil, r.Message, r.Err))
	}
	want := []string{
		`w.new observed=true message="made w.new" err=<nil>`,
		`w.fails observed=false message="" err=refused`,
		`w.renamed observed=true message="deleted w.renamed; made w.renamed" err=<nil>`,
		`w.inplace observed=true message="made w.inplace" err=<nil>`,
		`w.stuck observed=false message="" err=in use`,
		`w.gone observed=false message="deleted w.gone" err=<nil>`,
		`w.same observed=false message="" err=<nil>`,
		`w.odd observed=false message="" err=action "import" is not one a widget takes`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
	wantCalls := "ensure w.new, ensure w.fails, delete w.renamed, ensure w.renamed, ensure w.inplace, delete w.stuck, delete w.gone"
	if strings.Join(calls, ", ") != wantCalls {
		t.Errorf("calls %s, want %s", strings.Join(calls, ", "), wantCalls)
	}
}

func TestJoinMessages(t *testing.T) {
	if got := JoinMessages("", "a", "", "b"); got != "a; b" {
		t.Errorf("JoinMessages = %q", got)
	}
	if got := JoinMessages("", ""); got != "" {
		t.Errorf("JoinMessages of nothing = %q", got)
	}
}

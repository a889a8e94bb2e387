package cli

import (
	"os/exec"
	"strings"
	"testing"
)

// The drift one-liner of 'plan -help' says "drift" only when plan exits 2,
// "no drift" when it exits 0, and fails on an error.
func TestPlanHelpDriftOneLiner(t *testing.T) {
	var line string
	for _, l := range strings.Split(planCommand().example, "\n") {
		if strings.Contains(l, "-detailed-exitcode") {
			line = strings.TrimSpace(l)
		}
	}
	if line == "" {
		t.Fatal("plan's examples have no -detailed-exitcode line")
	}
	for _, tt := range []struct {
		planExit int
		want     string
		fails    bool
	}{
		{0, "no drift\n", false},
		{2, "drift\n", false},
		{1, "", true},
	} {
		script := "mailform() { return " + string(rune('0'+tt.planExit)) + "; }\n" + line
		out, err := exec.Command("sh", "-c", script).Output()
		if got := string(out); got != tt.want || (err != nil) != tt.fails {
			t.Errorf("plan exits %d: the one-liner printed %q (error %v), want %q (fails: %v)", tt.planExit, got, err, tt.want, tt.fails)
		}
	}
}

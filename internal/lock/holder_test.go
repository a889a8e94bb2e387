package lock

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestHolderDescribe: the holder is described with user and host, CI job,
// pid, region and account, operation and start; a pid on this host that no
// longer runs is said to be dead.
func TestHolderDescribe(t *testing.T) {
	host, err := os.Hostname()
	if err != nil {
		t.Skip("no host name")
	}
	since := time.Date(2026, 12, 7, 18, 0, 0, 0, time.UTC)
	env := map[string]string{"CI_JOB_ID": "812", "USER": "deploy"}
	h := Holder{Who: "deploy@" + host, Host: host, PID: os.Getpid(), CIJob: ciJob(func(k string) string { return env[k] }),
		Operation: "apply", Region: "us-west-2", Account: "111122223333", Since: since}
	got := h.Describe(since.Add(90 * time.Second))
	want := "deploy@" + host + " (GitLab CI job 812, pid " + strconv.Itoa(os.Getpid()) + ", in us-west-2 account 111122223333, apply) since 2026-12-07T18:00:00Z, 1m30s ago"
	if got != want {
		t.Errorf("Describe =\n%s\nwant\n%s", got, want)
	}

	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	h.PID = gone.ProcessState.Pid()
	if got := h.Describe(since); !strings.Contains(got, "no longer running on this host") {
		t.Errorf("a dead pid on this host: %s", got)
	}
	h.Host = "another-host"
	if got := h.Describe(since); strings.Contains(got, "no longer running") {
		t.Errorf("a pid on another host is judged from here: %s", got)
	}
}

package sqs

import (
	"strings"
	"testing"
	"time"

	"github.com/mailform/mailform/internal/awstest"
	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/providers"
)

// TestNewQueueAndLaggingList: a queue that answers QueueDoesNotExist for a
// moment after CreateQueue (the double's QueueDelay) is set up all the
// same, with progress; a plan right after, while ListQueues does not yet
// show it (ListLag), finds it by name: no phantom create.
func TestNewQueueAndLaggingList(t *testing.T) {
	f := newFixture(t)
	topic := f.topic(t, "acme-feedback")
	if err := f.s.Configure(func(o *awstest.Options) { o.QueueDelay = time.Second; o.ListLag = time.Minute }); err != nil {
		t.Fatal(err)
	}
	want := desiredQueue(topic, 14)
	var progress []string
	res := f.p.Apply(t.Context(), providers.ApplyRequest{Stack: stack, Region: region, Changes: []plan.Change{planFor(want, f.read(t, want))},
		Progress: func(_, m string) { progress = append(progress, m) }})
	if res[0].Err != nil {
		t.Fatalf("apply: %v", res[0].Err)
	}
	if len(progress) == 0 || !strings.Contains(progress[0], "waiting for new SQS queue "+qname+" to be usable") {
		t.Errorf("progress = %q", progress)
	}
	obs := f.read(t, want)
	if len(obs) != 1 || obs[0].Attrs["topic_arn"] != topic || obs[0].Attrs["retention_days"] != int64(14) {
		t.Fatalf("plan right after apply observes %+v: want the new queue, subscribed", obs)
	}
}

package sns

import (
	"testing"
	"time"

	"github.com/mailform/mailform/internal/awstest"
	"github.com/mailform/mailform/plan"
)

// TestPlanRightAfterCreateFindsTheTopic: while ListTopics does not yet show
// a topic created moments ago (the double's ListLag), Read finds the
// declared topic by its ARN: no phantom create.
func TestPlanRightAfterCreateFindsTheTopic(t *testing.T) {
	f := newFixture(t)
	if err := f.s.Configure(func(o *awstest.Options) { o.ListLag = time.Minute }); err != nil {
		t.Fatal(err)
	}
	want := topic("feedback")
	if obs := f.read(t, want); len(obs) != 0 {
		t.Fatalf("before apply: %+v", obs)
	}
	if res := f.apply(t, plan.Change{Addr: want.Addr, Kind: want.Kind, Action: plan.Create, After: want.Attrs}); res.Err != nil {
		t.Fatal(res.Err)
	}
	obs := f.read(t, want)
	if len(obs) != 1 || obs[0].Addr != want.Addr || obs[0].Owner != stack || obs[0].Attrs["ses_publish"] != true {
		t.Errorf("right after apply Read observes %+v: want the new topic, owned, publishing", obs)
	}
}

package version

import (
	"runtime/debug"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDescribe(t *testing.T) {
	checkout := &debug.BuildInfo{
		Main: debug.Module{Path: "github.com/mailform/mailform", Version: "(devel)"},
		Settings: []debug.BuildSetting{
			{Key: "vcs", Value: "git"},
			{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"},
			{Key: "vcs.time", Value: "2026-12-07T18:00:00Z"},
			{Key: "vcs.modified", Value: "true"},
		},
	}
	tests := []struct {
		name                  string
		version, commit, date string
		bi                    *debug.BuildInfo
		want                  Info
	}{
		{
			name:    "release: the stamped values",
			version: "v1.2.3", commit: "fedcba9876543210fedcba9876543210fedcba98", date: "2026-12-01T10:00:00Z",
			bi:   &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}},
			want: Info{Version: "v1.2.3", Commit: "fedcba9876543210fedcba9876543210fedcba98", Date: "2026-12-01T10:00:00Z"},
		},
		{
			name: "go install @v1.2.3: the module version, no VCS settings",
			bi:   &debug.BuildInfo{Main: debug.Module{Path: "github.com/mailform/mailform", Version: "v1.2.3"}},
			want: Info{Version: "v1.2.3"},
		},
		{
			name: "go install @commit: the pseudo-version names the commit and its time",
			bi:   &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261207184500-0123456789ab"}},
			want: Info{Version: "v0.0.0-20261207184500-0123456789ab", Commit: "0123456789ab", Date: "2026-12-07T18:45:00Z"},
		},
		{
			name: "go build in a checkout: the VCS settings",
			bi:   checkout,
			want: Info{Version: "dev", Commit: "0123456789abcdef0123456789abcdef01234567", Date: "2026-12-07T18:00:00Z", Modified: true},
		},
		{
			name: "nothing known",
			want: Info{Version: "dev"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := describe(tc.version, tc.commit, tc.date, tc.bi)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("describe (-want +got):\n%s", diff)
			}
		})
	}
}

func TestString(t *testing.T) {
	got := Info{Version: "dev", Commit: "0123abc", Modified: true, Go: "go1.26.8", Platform: "darwin/arm64"}.String()
	want := "mailform dev\ncommit: 0123abc (with uncommitted changes)\ndate: unknown\ngo: go1.26.8\nplatform: darwin/arm64\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// Package version says which mailform a binary is: its version, the commit
// it was built from and when. A release stamps them in with -ldflags
// (.goreleaser.yaml sets Stamped*); a build from a checkout or with
// 'go install github.com/mailform/mailform@vX' takes them from the build
// information the Go toolchain records. It reports "dev" only when nothing
// is known, and never guesses a value it was not given.
package version

import (
	"fmt"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"time"
)

// Set by a release build with
//
//	-X github.com/mailform/mailform/internal/version.StampedVersion=v1.2.3
//
// and likewise StampedCommit (the full commit hash) and StampedDate (RFC 3339).
var (
	StampedVersion string
	StampedCommit  string
	StampedDate    string
)

// Info is what is known of a binary. An empty Commit or Date is unknown.
type Info struct {
	Version  string // "v1.2.3", a pseudo-version, or "dev"
	Commit   string // the full commit hash
	Date     string // when the commit was made (or the release built), RFC 3339
	Modified bool   // built from a checkout with uncommitted changes
	Go       string // the Go toolchain, "go1.26.8"
	Platform string // GOOS/GOARCH
}

// Get describes the running binary.
func Get() Info {
	bi, _ := debug.ReadBuildInfo()
	info := describe(StampedVersion, StampedCommit, StampedDate, bi)
	info.Go = runtime.Version()
	info.Platform = runtime.GOOS + "/" + runtime.GOARCH
	return info
}

// pseudoVersion matches the tail of a Go pseudo-version
// (v0.0.0-20261207184500-0123456789ab), which names a commit and its time.
var pseudoVersion = regexp.MustCompile(`-(?:0\.)?(\d{14})-([0-9a-f]{12})(?:\+incompatible)?(?:\+dirty)?$`)

// describe combines the stamped values, which win, with the build
// information (nil when the binary has none).
func describe(version, commit, date string, bi *debug.BuildInfo) Info {
	info := Info{Version: version, Commit: commit, Date: date}
	if bi != nil {
		if info.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			info.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if info.Commit == "" {
					info.Commit = s.Value
				}
			case "vcs.time":
				if info.Date == "" {
					info.Date = s.Value
				}
			case "vcs.modified":
				info.Modified = s.Value == "true"
			}
		}
	}
	if info.Version != "" && info.Version != "dev" && (info.Commit == "" || info.Date == "") {
		// 'go install ...@<commit>' records no VCS settings, but its
		// pseudo-version names the commit (its first 12 digits) and time.
		if m := pseudoVersion.FindStringSubmatch(info.Version); m != nil {
			if info.Commit == "" {
				info.Commit = m[2]
			}
			if t, err := time.Parse("20060102150405", m[1]); err == nil && info.Date == "" {
				info.Date = t.UTC().Format(time.RFC3339)
			}
		}
	}
	if info.Version == "" {
		info.Version = "dev"
	}
	return info
}

// String is the text 'mailform version' prints: the version on the first
// line, then one "name: value" line each, "unknown" where nothing is known.
func (i Info) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "mailform %s\n", i.Version)
	commit := orUnknown(i.Commit)
	if i.Modified {
		commit += " (with uncommitted changes)"
	}
	fmt.Fprintf(&b, "commit: %s\n", commit)
	fmt.Fprintf(&b, "date: %s\n", orUnknown(i.Date))
	if i.Go != "" {
		fmt.Fprintf(&b, "go: %s\n", i.Go)
	}
	if i.Platform != "" {
		fmt.Fprintf(&b, "platform: %s\n", i.Platform)
	}
	return b.String()
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

package cli

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// An adoption list edited by hand: a byte-order mark (Notepad), CRLF line
// endings, indentation, comments on their own line and after an address.
func TestReadAdoptFileAsEditedByHand(t *testing.T) {
	path := filepath.Join(t.TempDir(), "adopt.txt")
	content := "\ufeffdomain.acme.example\r\n" +
		"# the zone too\r\n" +
		"\r\n" +
		"  zone.acme.example   # adopted with the domain\r\n" +
		"mta.relay#1\r\n" +
		"\t# indented comment\n"
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := readAdoptFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"domain.acme.example", "zone.acme.example", "mta.relay#1"}
	if !slices.Equal(got, want) {
		t.Fatalf("readAdoptFile = %q, want %q", got, want)
	}
}

// The wrong file given to -adopt-file (the spec itself, a binary, a list
// with an address and its comment joined by a tab) is refused at the line
// that is not an address, before anything is planned.
func TestReadAdoptFileRefusesWhatIsNotAnAddressList(t *testing.T) {
	dir := t.TempDir()
	for name, c := range map[string]struct{ content, want string }{
		"spec":   {"domain.acme.example\nmailform {\n  stack = \"acme\"\n}\n", `line 2: "mailform {" is not a resource address`},
		"brace":  {"}\n", `line 1: "}" is not a resource address`},
		"binary": {"\x7fELF\x02\x01\x01\x00\n", "line 1:"},
		"long":   {strings.Repeat("x", 70000) + "\n", "line 1: longer than"},
	} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(c.content), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := readAdoptFile(path)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error with %q", name, err, c.want)
		}
	}
	ok := filepath.Join(dir, "ok")
	if err := os.WriteFile(ok, []byte("account\naccount/bounce_alarm\nemail.ops+x@acme.example\nsmtp_user.app_smtp\nrecord._dmarc.acme.example.TXT\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := readAdoptFile(ok); err != nil || len(got) != 5 {
		t.Errorf("a list of addresses: %q, %v", got, err)
	}
}

package cli

import (
	"os"
	"path/filepath"
	"slices"
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

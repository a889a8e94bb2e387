package route53

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/mailform/mailform/specs"
)

// Route 53 record sets carry no tags, so mailform marks the sets it owns with
// a TXT record set beside them, at MarkerName(name). It holds one value per
// owned (stack, type) pair:
//
//	"mailform:stack=<stack>;type=<TYPE>;addr=<address>"
//
// and, when the stack owns only one value inside a set others share (the apex
// TXT set), ";value=<first 16 hex digits of sha256 of that value's text>";
// then ";region=<the stack's region>": Route 53 is global, and a plan for
// another region must refuse the stack's records rather than take them.
// Markers written before the region was recorded have none.
// Several stacks may keep values in one marker set; each changes only its own.

// markerLabel is the first label of every marker set's name.
const markerLabel = "_mailform."

// MarkerTTL is the TTL of marker sets mailform creates.
const MarkerTTL = 300

// Marker is one value of a marker set: the claim of one stack on one record
// set (or on one value of a shared set).
type Marker struct {
	Stack string
	Type  string // the owned set's type: "TXT", "MX", ...
	Addr  string // the address of the resource that owns it
	Value string // for a shared set: ValueDigest of the owned value; "" for a whole set
	// Region is the region of the stack that wrote the marker; "" in
	// markers written before mailform recorded it.
	Region string
}

// claims reports whether m and o are the claim of one stack on one set or
// value, whatever region they record.
func (m Marker) claims(o Marker) bool {
	return m.Stack == o.Stack && m.Type == o.Type && m.Addr == o.Addr && m.Value == o.Value
}

// MarkerName is the name of the marker set for record sets named name (fully
// qualified).
func MarkerName(name string) string { return markerLabel + name }

// isMarkerName reports whether name is a marker set's name, and for which name.
func isMarkerName(name string) (string, bool) {
	if strings.HasPrefix(name, markerLabel) {
		return strings.TrimPrefix(name, markerLabel), true
	}
	return "", false
}

// Text is the marker's TXT text, unquoted.
func (m Marker) Text() string {
	s := "mailform:stack=" + m.Stack + ";type=" + m.Type + ";addr=" + m.Addr
	if m.Value != "" {
		s += ";value=" + m.Value
	}
	if m.Region != "" {
		s += ";region=" + m.Region
	}
	return s
}

// Format is the marker as a Route 53 TXT value (quoted, split if long).
func (m Marker) Format() string { return specs.QuoteTXT(m.Text()) }

// valid reports whether the marker can be written so that ParseMarker reads
// it back unchanged.
func (m Marker) valid() error {
	for _, f := range []struct{ name, v string }{{"stack", m.Stack}, {"type", m.Type}, {"addr", m.Addr}, {"value", m.Value}, {"region", m.Region}} {
		if strings.ContainsAny(f.v, ";\"\\") || strings.ContainsFunc(f.v, func(r rune) bool { return r < 0x21 || r > 0x7e }) {
			return fmt.Errorf("ownership marker %s %q holds a character a marker cannot carry", f.name, f.v)
		}
	}
	if m.Stack == "" || m.Type == "" || m.Addr == "" {
		return fmt.Errorf("ownership marker needs a stack, a type and an address")
	}
	return nil
}

// ParseMarker reads one marker set value in Route 53's form. It reports false
// for a value that is not a mailform marker, which is then left alone.
func ParseMarker(value string) (Marker, bool) {
	text := specs.UnquoteTXT(value)
	const prefix = "mailform:"
	if !strings.HasPrefix(text, prefix) {
		return Marker{}, false
	}
	var m Marker
	seen := map[string]bool{}
	for _, field := range strings.Split(strings.TrimPrefix(text, prefix), ";") {
		k, v, ok := strings.Cut(field, "=")
		if !ok || seen[k] {
			return Marker{}, false
		}
		seen[k] = true
		switch k {
		case "stack":
			m.Stack = v
		case "type":
			m.Type = strings.ToUpper(v)
		case "addr":
			m.Addr = v
		case "value":
			if len(v) != 16 {
				return Marker{}, false
			}
			if _, err := hex.DecodeString(v); err != nil {
				return Marker{}, false
			}
			m.Value = strings.ToLower(v)
		case "region":
			if v == "" {
				return Marker{}, false
			}
			m.Region = v
		default:
			return Marker{}, false
		}
	}
	if m.Stack == "" || m.Type == "" || m.Addr == "" {
		return Marker{}, false
	}
	return m, true
}

// ValueDigest identifies one value of a shared set in its marker: the first
// 16 hex digits of the SHA-256 of the value's text (TXT values unquoted, so
// that how the text is split into strings does not matter).
func ValueDigest(rtype, value string) string {
	text := value
	if rtype == "TXT" || rtype == "SPF" {
		text = specs.UnquoteTXT(value)
	}
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])[:16]
}

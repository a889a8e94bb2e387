package specs

import (
	"fmt"
	"math/big"
	"regexp"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// item is one string of a list attribute with where it was written.
type item struct {
	Value string
	Range hcl.Range
}

func values(items []item) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.Value
	}
	return out
}

// content decodes body against schema, never returning nil.
func (l *loader) content(body hcl.Body, schema *hcl.BodySchema) *hcl.BodyContent {
	c, d := body.Content(schema)
	l.diags = append(l.diags, explainUnsupported(d, schema)...)
	if c == nil {
		c = &hcl.BodyContent{Attributes: hcl.Attributes{}}
	}
	return c
}

func (l *loader) typeError(a *hcl.Attribute, err error) {
	l.errorf(a.Expr.Range(), "Incorrect attribute value type", "Inappropriate value for attribute %q: %s.", a.Name, err)
}

// str decodes an optional string attribute; set is false when it is absent
// or null, or could not be decoded (then an error is recorded).
func (l *loader) str(c *hcl.BodyContent, name string) (val string, rng hcl.Range, set bool) {
	a, ok := c.Attributes[name]
	if !ok {
		return "", hcl.Range{}, false
	}
	v, ok := l.eval(a.Expr)
	if !ok || v.IsNull() {
		return "", a.Expr.Range(), false
	}
	s, err := convert.Convert(v, cty.String)
	if err != nil {
		l.typeError(a, err)
		return "", a.Expr.Range(), false
	}
	return s.AsString(), a.Expr.Range(), true
}

// num decodes an optional whole-number attribute.
func (l *loader) num(c *hcl.BodyContent, name string) (val int, rng hcl.Range, set bool) {
	a, ok := c.Attributes[name]
	if !ok {
		return 0, hcl.Range{}, false
	}
	v, ok := l.eval(a.Expr)
	if !ok || v.IsNull() {
		return 0, a.Expr.Range(), false
	}
	n, err := convert.Convert(v, cty.Number)
	if err != nil {
		l.typeError(a, err)
		return 0, a.Expr.Range(), false
	}
	bf := n.AsBigFloat()
	i, acc := bf.Int64()
	if acc != big.Exact || !bf.IsInt() || i > 1<<31 || i < -(1<<31) {
		l.errorf(a.Expr.Range(), "Incorrect attribute value type", "Inappropriate value for attribute %q: a whole number is required.", name)
		return 0, a.Expr.Range(), false
	}
	return int(i), a.Expr.Range(), true
}

// boolean decodes an optional bool attribute.
func (l *loader) boolean(c *hcl.BodyContent, name string) (val bool, rng hcl.Range, set bool) {
	a, ok := c.Attributes[name]
	if !ok {
		return false, hcl.Range{}, false
	}
	v, ok := l.eval(a.Expr)
	if !ok || v.IsNull() {
		return false, a.Expr.Range(), false
	}
	b, err := convert.Convert(v, cty.Bool)
	if err != nil {
		l.typeError(a, err)
		return false, a.Expr.Range(), false
	}
	return b.True(), a.Expr.Range(), true
}

// strList decodes an optional list of strings. Each item carries its own
// range when the list is written literally, else the whole attribute's.
func (l *loader) strList(c *hcl.BodyContent, name string) (items []item, rng hcl.Range, set bool) {
	a, ok := c.Attributes[name]
	if !ok {
		return nil, hcl.Range{}, false
	}
	rng = a.Expr.Range()
	v, ok := l.eval(a.Expr)
	if !ok || v.IsNull() {
		return nil, rng, false
	}
	lv, err := convert.Convert(v, cty.List(cty.String))
	if err != nil {
		l.typeError(a, err)
		return nil, rng, false
	}
	exprs, d := hcl.ExprList(a.Expr)
	literal := !d.HasErrors() && len(exprs) == lv.LengthInt()
	i := 0
	for it := lv.ElementIterator(); it.Next(); i++ {
		_, ev := it.Element()
		r := rng
		if literal {
			r = exprs[i].Range()
			if l.sensitive[rng] {
				l.sensitive[r] = true
			}
		}
		if ev.IsNull() {
			l.errorf(r, "Invalid list element", "Attribute %q must not hold null values.", name)
			continue
		}
		items = append(items, item{Value: ev.AsString(), Range: r})
	}
	return items, rng, true
}

// ref decodes an attribute holding a reference to a block of blockType, such
// as topic = topic.feedback. The label is checked once every block is known.
func (l *loader) ref(c *hcl.BodyContent, name, blockType string) (label string, rng hcl.Range, set bool) {
	a, ok := c.Attributes[name]
	if !ok {
		return "", hcl.Range{}, false
	}
	label, ok = l.refExpr(a.Expr, name, blockType)
	return label, a.Expr.Range(), ok
}

func (l *loader) refExpr(expr hcl.Expression, name, blockType string) (string, bool) {
	example := fmt.Sprintf("%s.%s", blockType, exampleLabel[blockType])
	t, d := hcl.AbsTraversalForExpr(expr)
	if d.HasErrors() || len(t) != 2 {
		l.errorf(expr.Range(), "Invalid reference", "Attribute %q takes a reference to a %s block, such as %s (without quotes).", name, blockType, example)
		return "", false
	}
	step, isAttr := t[1].(hcl.TraverseAttr)
	if t.RootName() != blockType || !isAttr {
		l.errorf(expr.Range(), "Invalid reference", "Attribute %q takes a reference to a %s block, such as %s, not %s.", name, blockType, example, traversalString(t))
		return "", false
	}
	l.refs = append(l.refs, pendingRef{blockType: blockType, label: step.Name, rng: expr.Range()})
	return step.Name, true
}

var exampleLabel = map[string]string{
	"topic": "feedback", "mta": "mta1", "configuration_set": "default", "dkim_key": "mta1", "smtp_user": "webapp",
}

// refList decodes a literal list of references, such as mtas = [mta.mta1].
func (l *loader) refList(c *hcl.BodyContent, name, blockType string) (items []item, rng hcl.Range, set bool) {
	a, ok := c.Attributes[name]
	if !ok {
		return nil, hcl.Range{}, false
	}
	exprs, d := hcl.ExprList(a.Expr)
	if d.HasErrors() {
		l.errorf(a.Expr.Range(), "Invalid reference list", "Attribute %q takes a list of references to %s blocks, such as [%s.%s].", name, blockType, blockType, exampleLabel[blockType])
		return nil, a.Expr.Range(), false
	}
	for _, e := range exprs {
		if label, ok := l.refExpr(e, name, blockType); ok {
			items = append(items, item{Value: label, Range: e.Range()})
		}
	}
	return items, a.Expr.Range(), true
}

// didYouMean suggests a close allowed value, unless the value is sensitive:
// a suggestion would hint at it.
func (l *loader) didYouMean(rng hcl.Range, value string, allowed []string) string {
	if l.sensitive[rng] {
		return ""
	}
	return didYouMean(value, allowed)
}

// oneOf checks that value is one of allowed.
func (l *loader) oneOf(rng hcl.Range, attr, value string, allowed []string) bool {
	if slices.Contains(allowed, value) {
		return true
	}
	l.errorf(rng, "Unsupported value for "+attr, "%s is not allowed here. Use %s.%s", l.show(rng, value), quoteList(allowed), l.didYouMean(rng, value, allowed))
	return false
}

// explainUnsupported adds the accepted names to hcl's "Unsupported argument"
// and "Unsupported block type" errors when hcl found no close name to suggest.
func explainUnsupported(diags hcl.Diagnostics, schema *hcl.BodySchema) hcl.Diagnostics {
	for _, d := range diags {
		if strings.Contains(d.Detail, "Did you mean") {
			continue
		}
		var names []string
		switch d.Summary {
		case "Missing required argument":
			if m := missingArgName.FindStringSubmatch(d.Detail); m != nil {
				if ex, ok := argumentExamples[m[1]]; ok {
					d.Detail += fmt.Sprintf(" Add it to this block, such as %s.", ex)
				} else {
					d.Detail += " Add it to this block."
				}
			}
		case "Unsupported argument":
			for _, a := range schema.Attributes {
				names = append(names, a.Name)
			}
			switch {
			case schema == rootSchema:
				d.Detail += " The top level of a spec holds only blocks; settings such as stack and region go inside the mailform block."
				continue
			case len(names) == 0:
				d.Detail += " This block takes no arguments."
				continue
			}
			d.Detail += " Arguments accepted here: " + strings.Join(sortedCopy(names), ", ") + "."
		case "Unsupported block type":
			for _, b := range schema.Blocks {
				names = append(names, b.Type)
			}
			if len(names) == 0 {
				d.Detail += " This block takes no nested blocks."
				continue
			}
			d.Detail += " Blocks accepted here: " + strings.Join(sortedCopy(names), ", ") + "."
		}
	}
	return diags
}

var missingArgName = regexp.MustCompile(`^The argument "([^"]+)" is required`)

// argumentExamples show how to write each required argument.
var argumentExamples = map[string]string{
	"stack":               `stack = "acme-prod"`,
	"region":              `region = "us-west-2"`,
	"subdomain":           `subdomain = "bounce"`,
	"policy":              `policy = "quarantine"`,
	"types":               `types = ["BOUNCE", "COMPLAINT"]`,
	"topic":               `topic = topic.feedback`,
	"credentials":         `credentials = "ssm:/acme/mail/smtp/webapp"`,
	"hostname":            `hostname = "mta1.acme.example"`,
	"domain":              `domain = "acme.example"`,
	"selector":            `selector = "mta1"`,
	"private_key":         `private_key = "ssm:/acme/mail/dkim/mta1"`,
	"values":              `values = ["10 mx1.acme.example."]`,
	"mail_type":           `mail_type = "TRANSACTIONAL"`,
	"website_url":         `website_url = "https://acme.example"`,
	"use_case":            `use_case = file("use-case.txt")`,
	"additional_contacts": `additional_contacts = ["ops@acme.example"]`,
	"contact_email":       `contact_email = "ops@acme.example"`,
}

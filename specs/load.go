package specs

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// LoadOptions carries the values of input variables from outside the spec.
// Later sources win: default, then MAILFORM_VAR_<name> from Environ, then
// each VarFiles file in order, then Vars.
type LoadOptions struct {
	// Vars are -var name=value flags. A value is taken as a literal string
	// for a variable of type string, and parsed as an HCL expression
	// otherwise (-var 'ports=[25, 587]').
	Vars map[string]string
	// VarFiles are -var-file files: HCL files of "name = value" attributes.
	VarFiles []string
	// Environ is the process environment ("K=V" entries); MAILFORM_VAR_<name>
	// sets a variable. Entries for undeclared variables are ignored, since the
	// environment is shared with other tools.
	Environ []string
}

// sensitiveMark marks cty values that derive from a sensitive variable, so
// diagnostics never show them.
const sensitiveMark = "mailform:sensitive"

// Load reads the spec at path (a folder of *.hcl files, or one file),
// evaluates variables, locals and functions, validates every rule of the
// spec language, and expands the blocks into resources. It reports every
// problem it finds at once, in source order.
//
// The Spec is never nil, so that Files() can render the diagnostics with
// source snippets. When the diagnostics hold errors, the Spec is incomplete:
// use it only for Files(); Resources() is then empty.
func Load(path string, opts LoadOptions) (*Spec, hcl.Diagnostics) {
	l := newLoader()
	l.spec.files = l.files
	files, dir, diags := l.readFiles(path)
	l.dir = dir
	l.spec.Dir = dir
	if diags.HasErrors() {
		return l.spec, diags
	}
	l.diags = append(l.diags, diags...)
	l.decodeRoot(files, opts)
	l.validateBlocks()
	// Rules over record sets and AWS's limits need the expansion. It runs
	// even when blocks have errors (a block drops the values it reports),
	// so that one run reports every problem, as the language promises.
	l.expand()
	l.validateResources()
	diags = l.finishDiagnostics()
	if diags.HasErrors() {
		l.spec.resources = nil
	}
	return l.spec, diags
}

type loader struct {
	dir   string
	work  *work // what evaluation has produced, against maxWork
	files map[string]*hcl.File
	ctx   *hcl.EvalContext
	diags hcl.Diagnostics
	spec  *Spec

	vars      map[string]*variableDecl
	localDecl map[string]*hcl.Attribute
	localVals map[string]cty.Value

	// sensitive holds the ranges of values that derive from a sensitive
	// variable: messages about them never quote the value.
	sensitive map[hcl.Range]bool
	// refs are block references waiting for every block to be known.
	refs []pendingRef
}

type variableDecl struct {
	Variable
	typ      cty.Type
	hasValue bool
	value    cty.Value
	// badDefault is set when the default is already reported as invalid.
	badDefault bool
	setBy      string // where the value came from, for messages
}

type pendingRef struct {
	blockType string
	label     string
	rng       hcl.Range
}

func newLoader() *loader {
	return &loader{
		work:      &work{},
		files:     map[string]*hcl.File{},
		spec:      &Spec{},
		vars:      map[string]*variableDecl{},
		localDecl: map[string]*hcl.Attribute{},
		localVals: map[string]cty.Value{},
		sensitive: map[hcl.Range]bool{},
	}
}

// readFiles parses path: every *.hcl file of a folder, sorted, or one file.
// File names in ranges are path joined with the file's name, so diagnostics
// point where the user looks.
func (l *loader) readFiles(path string) ([]*hcl.File, string, hcl.Diagnostics) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, path, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Cannot read the spec",
			Detail:   fmt.Sprintf("%v. Give mailform a folder of *.hcl files or one .hcl file.", err),
		}}
	}
	var names []string
	dir := path
	if info.IsDir() {
		entries, err := os.ReadDir(path)
		if err != nil {
			return nil, dir, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot read the spec folder", Detail: err.Error()}}
		}
		var refused hcl.Diagnostics
		for _, e := range entries {
			if !strings.HasSuffix(e.Name(), ".hcl") || strings.HasPrefix(e.Name(), ".") {
				continue
			}
			name := filepath.Join(path, e.Name())
			if p := specFileProblem(path, e.Name()); p != "" {
				// No Subject: a renderer would read the file for a snippet.
				refused = append(refused, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Spec file refused",
					Detail:   fmt.Sprintf("%s: %s.", name, p),
				})
				continue
			}
			names = append(names, name)
		}
		if len(refused) > 0 {
			return nil, dir, refused
		}
		sort.Strings(names)
		if len(names) == 0 {
			return nil, dir, hcl.Diagnostics{{
				Severity: hcl.DiagError,
				Summary:  "No spec files",
				Detail:   fmt.Sprintf("The folder %s holds no *.hcl files. Write the spec in one or more .hcl files there.", path),
			}}
		}
	} else {
		names = []string{path}
		dir = filepath.Dir(path)
		if p := specFileProblem(dir, filepath.Base(path)); p != "" {
			return nil, dir, hcl.Diagnostics{{
				Severity: hcl.DiagError,
				Summary:  "Spec file refused",
				Detail:   fmt.Sprintf("%s: %s. Give mailform a folder of *.hcl files or one .hcl file.", path, p),
			}}
		}
	}
	var files []*hcl.File
	var diags hcl.Diagnostics
	for _, name := range names {
		src, err := readSpecFile(name)
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Cannot read a spec file", Detail: err.Error(), Subject: &hcl.Range{Filename: name, Start: hcl.InitialPos, End: hcl.InitialPos}})
			continue
		}
		f, d := parseBounded(src, name)
		diags = append(diags, d...)
		if f != nil {
			l.files[name] = f
			files = append(files, f)
		}
	}
	return files, dir, diags
}

// rootSchema lists the top-level blocks of the spec language.
var rootSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
	{Type: "mailform"},
	{Type: "variable", LabelNames: []string{"name"}},
	{Type: "locals"},
	{Type: "zone", LabelNames: []string{"name"}},
	{Type: "domain", LabelNames: []string{"name"}},
	{Type: "email", LabelNames: []string{"address"}},
	{Type: "topic", LabelNames: []string{"name"}},
	{Type: "configuration_set", LabelNames: []string{"name"}},
	{Type: "smtp_user", LabelNames: []string{"name"}},
	{Type: "mta", LabelNames: []string{"name"}},
	{Type: "dkim_key", LabelNames: []string{"name"}},
	{Type: "record", LabelNames: []string{"name", "type"}},
	{Type: "account"},
	{Type: "requests"},
}}

// referenceable are the block types that other blocks refer to by label.
var referenceable = []string{"configuration_set", "dkim_key", "mta", "smtp_user", "topic"}

func (l *loader) decodeRoot(files []*hcl.File, opts LoadOptions) {
	var blocks hcl.Blocks
	for _, f := range files {
		content, d := f.Body.Content(rootSchema)
		l.diags = append(l.diags, explainUnsupported(d, rootSchema)...)
		if content != nil {
			blocks = append(blocks, content.Blocks...)
		}
	}
	byType := map[string]hcl.Blocks{}
	for _, b := range blocks {
		byType[b.Type] = append(byType[b.Type], b)
	}

	l.declareVariables(byType["variable"])
	l.setVariables(opts)
	l.declareLocals(byType["locals"])
	l.buildContext()
	l.evalLocals()

	l.decodeSettings(byType["mailform"], files)
	for _, b := range byType["zone"] {
		l.decodeZone(b)
	}
	for _, b := range byType["topic"] {
		l.decodeTopic(b)
	}
	for _, b := range byType["configuration_set"] {
		l.decodeConfigurationSet(b)
	}
	for _, b := range byType["domain"] {
		l.decodeDomain(b)
	}
	for _, b := range byType["email"] {
		l.decodeEmail(b)
	}
	for _, b := range byType["smtp_user"] {
		l.decodeSMTPUser(b)
	}
	for _, b := range byType["mta"] {
		l.decodeMTA(b)
	}
	for _, b := range byType["dkim_key"] {
		l.decodeDKIMKey(b)
	}
	for _, b := range byType["record"] {
		l.decodeRecord(b)
	}
	l.decodeAccount(byType["account"])
	l.decodeRequests(byType["requests"])
	l.checkUniqueLabels(blocks)
	l.checkReferences()
}

// --- variables ---

var variableSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "type"}, {Name: "default"}, {Name: "description"}, {Name: "sensitive"},
}}

func (l *loader) declareVariables(blocks hcl.Blocks) {
	// Defaults and types are evaluated without variables: only functions.
	constCtx := &hcl.EvalContext{Functions: l.functions()}
	for _, b := range blocks {
		name := b.Labels[0]
		if !hclsyntax.ValidIdentifier(name) {
			l.errorf(b.LabelRanges[0], "Invalid variable name", "A variable name starts with a letter and holds letters, digits, underscores and hyphens, so that var.%s can refer to it.", "NAME")
			continue
		}
		if prev, dup := l.vars[name]; dup {
			l.errorf(b.LabelRanges[0], "Duplicate variable", "A variable named %q is already declared at %s. Each variable name may be declared once.", name, prev.Range.String())
			continue
		}
		content, d := b.Body.Content(variableSchema)
		l.diags = append(l.diags, d...)
		v := &variableDecl{Variable: Variable{Name: name, Range: b.DefRange}, typ: cty.DynamicPseudoType}
		l.vars[name] = v
		if content == nil {
			continue
		}
		if a, ok := content.Attributes["type"]; ok {
			ty, d := typeexpr.TypeConstraint(a.Expr)
			l.diags = append(l.diags, d...)
			if !d.HasErrors() {
				v.typ = ty
			}
		}
		if a, ok := content.Attributes["description"]; ok {
			val, d := a.Expr.Value(constCtx)
			l.diags = append(l.diags, d...)
			if s, err := convert.Convert(val, cty.String); err == nil && !s.IsNull() && s.IsKnown() {
				v.Description = s.AsString()
			} else if !d.HasErrors() {
				l.errorf(a.Expr.Range(), "Incorrect attribute value type", "A variable's description is a string.")
			}
		}
		if a, ok := content.Attributes["sensitive"]; ok {
			val, d := a.Expr.Value(constCtx)
			l.diags = append(l.diags, d...)
			if bv, err := convert.Convert(val, cty.Bool); err == nil && !bv.IsNull() && bv.IsKnown() {
				v.Sensitive = bv.True()
			} else if !d.HasErrors() {
				l.errorf(a.Expr.Range(), "Incorrect attribute value type", "sensitive is true or false.")
			}
		}
		if a, ok := content.Attributes["default"]; ok {
			val, d := a.Expr.Value(constCtx)
			l.diags = append(l.diags, d...)
			v.badDefault = d.HasErrors()
			if !d.HasErrors() {
				conv, err := convert.Convert(val, v.typ)
				if err != nil {
					v.badDefault = true
					l.errorf(a.Expr.Range(), "Invalid default value for variable", "The default of variable %q does not match its type %s: %s.", name, typeexpr.TypeString(v.typ), err)
				} else if !conv.IsNull() {
					v.value, v.hasValue, v.setBy = conv, true, "default"
				}
			}
		}
	}
	names := SortedKeys(l.vars)
	for _, n := range names {
		l.spec.Variables = append(l.spec.Variables, l.vars[n].Variable)
	}
}

const envPrefix = "MAILFORM_VAR_"

func (l *loader) setVariables(opts LoadOptions) {
	for _, kv := range opts.Environ {
		k, raw, ok := strings.Cut(kv, "=")
		name, isVar := strings.CutPrefix(k, envPrefix)
		if !ok || !isVar {
			continue
		}
		v, declared := l.vars[name]
		if !declared {
			continue
		}
		l.setRaw(v, raw, "environment variable "+k, fmt.Sprintf("<value for %s%s>", envPrefix, name))
	}
	for _, path := range opts.VarFiles {
		l.readVarFile(path)
	}
	for _, name := range SortedKeys(opts.Vars) {
		raw := opts.Vars[name]
		v, declared := l.vars[name]
		if !declared {
			l.diags = append(l.diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Value for undeclared variable",
				Detail:   fmt.Sprintf("The flag -var %s=... sets a variable that the spec does not declare.%s Declare it with a variable %q {} block, or remove the flag.", name, didYouMean(name, SortedKeys(l.vars)), name),
			})
			continue
		}
		l.setRaw(v, raw, "-var "+name, fmt.Sprintf("<value for -var %s>", name))
	}
	for _, n := range SortedKeys(l.vars) {
		v := l.vars[n]
		if !v.hasValue && !v.badDefault {
			l.errorf(v.Range, "Missing required variable", "Variable %q has no default and no value was given. Set it with -var %s=VALUE, in a -var-file, or with the environment variable %s%s.", n, n, envPrefix, n)
		}
	}
}

// setRaw sets a variable from a raw string: literal for string variables, an
// HCL expression otherwise. pseudo names the value in parse positions; the
// diagnostics name source instead and never quote the value.
func (l *loader) setRaw(v *variableDecl, raw, source, pseudo string) {
	var val cty.Value
	if v.typ == cty.String || v.typ == cty.DynamicPseudoType {
		val = cty.StringVal(raw)
	} else {
		d := scanLimits([]byte(raw), pseudo)
		var expr hclsyntax.Expression
		if !d.HasErrors() {
			expr, d = hclsyntax.ParseExpression([]byte(raw), pseudo, hcl.InitialPos)
		}
		if d.HasErrors() {
			l.diags = append(l.diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid value for variable",
				Detail:   fmt.Sprintf("The value given by %s for variable %q (type %s) is not a valid expression. Write it as you would in HCL, such as [\"a\", \"b\"] for a list.", source, v.Name, typeexpr.TypeString(v.typ)),
			})
			return
		}
		vd := hcl.Diagnostics{}
		expr = boundExpr(expr, 0, &vd)
		var ed hcl.Diagnostics
		val, ed = expr.Value(&hcl.EvalContext{Functions: l.functions()})
		if vd = append(vd, ed...); vd.HasErrors() {
			l.diags = append(l.diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid value for variable",
				Detail:   fmt.Sprintf("The value given by %s for variable %q must be a constant of type %s.", source, v.Name, typeexpr.TypeString(v.typ)),
			})
			return
		}
	}
	conv, err := convert.Convert(val, v.typ)
	if err != nil {
		l.diags = append(l.diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid value for variable",
			Detail:   fmt.Sprintf("The value given by %s does not match the type %s of variable %q: %s.", source, typeexpr.TypeString(v.typ), v.Name, err),
		})
		return
	}
	v.value, v.hasValue, v.setBy = conv, true, source
}

func (l *loader) readVarFile(path string) {
	src, err := readSpecFile(path)
	if err != nil {
		l.diags = append(l.diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Cannot read a variables file",
			Detail:   fmt.Sprintf("The -var-file %s cannot be read: %v.", path, err),
		})
		return
	}
	f, d := parseBounded(src, path)
	l.diags = append(l.diags, d...)
	if f == nil || d.HasErrors() {
		return
	}
	l.files[path] = f
	attrs, d := f.Body.JustAttributes()
	l.diags = append(l.diags, d...)
	ctx := &hcl.EvalContext{Functions: l.functions()}
	for _, name := range SortedKeys(attrs) {
		a := attrs[name]
		v, declared := l.vars[name]
		if !declared {
			l.errorf(a.NameRange, "Value for undeclared variable", "The variables file sets %q, but the spec declares no such variable.%s Declare it with a variable %q {} block, or remove the line.", name, didYouMean(name, SortedKeys(l.vars)), name)
			continue
		}
		val, d := a.Expr.Value(ctx)
		l.diags = append(l.diags, d...)
		if d.HasErrors() {
			continue
		}
		conv, err := convert.Convert(val, v.typ)
		if err != nil {
			l.errorf(a.Expr.Range(), "Invalid value for variable", "Variable %q has type %s: %s.", name, typeexpr.TypeString(v.typ), err)
			continue
		}
		v.value, v.hasValue, v.setBy = conv, true, path
	}
}

// --- locals ---

func (l *loader) declareLocals(blocks hcl.Blocks) {
	for _, b := range blocks {
		attrs, d := b.Body.JustAttributes()
		l.diags = append(l.diags, d...)
		for _, name := range SortedKeys(attrs) {
			a := attrs[name]
			if prev, dup := l.localDecl[name]; dup {
				l.errorf(a.NameRange, "Duplicate local value", "A local value named %q is already defined at %s. Each name may be defined once across all locals blocks.", name, prev.NameRange.String())
				continue
			}
			l.localDecl[name] = a
		}
	}
}

// evalLocals evaluates locals in dependency order, one pass per level.
func (l *loader) evalLocals() {
	pending := SortedKeys(l.localDecl)
	for len(pending) > 0 {
		var next []string
		progress := false
		for _, name := range pending {
			a := l.localDecl[name]
			ready := true
			for _, t := range a.Expr.Variables() {
				if t.RootName() != "local" || len(t) < 2 {
					continue
				}
				if step, ok := t[1].(hcl.TraverseAttr); ok {
					if _, declared := l.localDecl[step.Name]; declared {
						if _, done := l.localVals[step.Name]; !done {
							ready = false
						}
					}
				}
			}
			if !ready {
				next = append(next, name)
				continue
			}
			progress = true
			val, ok := l.eval(a.Expr)
			if !ok {
				val = cty.DynamicVal
			} else if l.sensitive[a.Expr.Range()] {
				// A local computed from a sensitive value is sensitive too.
				val = val.Mark(sensitiveMark)
			}
			l.localVals[name] = val
			l.buildContext()
		}
		if !progress {
			for _, name := range next {
				a := l.localDecl[name]
				l.errorf(a.Expr.Range(), "Circular reference between local values", "local.%s depends on itself through other locals (%s). Break the cycle.", name, strings.Join(next, ", "))
			}
			return
		}
		pending = next
	}
}

func (l *loader) buildContext() {
	vars := map[string]cty.Value{}
	for name, v := range l.vars {
		val := v.value
		if !v.hasValue {
			val = cty.DynamicVal
		}
		if v.Sensitive {
			val = val.Mark(sensitiveMark)
		}
		vars[name] = val
	}
	locals := map[string]cty.Value{}
	for name := range l.localDecl {
		if val, ok := l.localVals[name]; ok {
			locals[name] = val
		} else {
			locals[name] = cty.DynamicVal
		}
	}
	l.ctx = &hcl.EvalContext{
		Variables: map[string]cty.Value{"var": cty.ObjectVal(vars), "local": cty.ObjectVal(locals)},
		Functions: l.functions(),
	}
}

// --- evaluation helpers ---

// checkRefs reports references that cannot be evaluated here, with a
// suggestion for typos. It returns false when there were any.
func (l *loader) checkRefs(expr hcl.Expression) bool {
	ok := true
	for _, t := range expr.Variables() {
		root := t.RootName()
		rootRange := t.SourceRange()
		var attr string
		if len(t) >= 2 {
			if step, isAttr := t[1].(hcl.TraverseAttr); isAttr {
				attr = step.Name
			}
		}
		switch {
		case root == "var" && attr != "":
			if _, declared := l.vars[attr]; !declared {
				l.errorf(rootRange, "Reference to undeclared variable", "No variable named %q is declared.%s Declare it with a variable %q {} block.", attr, didYouMean(attr, SortedKeys(l.vars)), attr)
				ok = false
			}
		case root == "local" && attr != "":
			if _, declared := l.localDecl[attr]; !declared {
				l.errorf(rootRange, "Reference to undeclared local value", "No local value named %q is defined.%s Define it in a locals {} block.", attr, didYouMean(attr, SortedKeys(l.localDecl)))
				ok = false
			}
		case root == "var" || root == "local":
		case slices.Contains(referenceable, root):
			l.errorf(rootRange, "Block reference not allowed here", "%s refers to a block; it can be used only in the attributes that take a %s reference (such as topic = topic.feedback), not inside other values.", strings.TrimSpace(traversalString(t)), root)
			ok = false
		default:
			l.errorf(rootRange, "Unknown reference", "There is nothing named %q. References start with var., local., or a block type (%s).%s", root, strings.Join(referenceable, ", "), didYouMean(root, append([]string{"var", "local"}, referenceable...)))
			ok = false
		}
	}
	return ok
}

func traversalString(t hcl.Traversal) string {
	var b strings.Builder
	for _, step := range t {
		switch s := step.(type) {
		case hcl.TraverseRoot:
			b.WriteString(s.Name)
		case hcl.TraverseAttr:
			b.WriteString("." + s.Name)
		case hcl.TraverseIndex:
			b.WriteString("[...]")
		}
	}
	return b.String()
}

// eval evaluates expr, records whether it derives from a sensitive value, and
// returns the value without marks.
func (l *loader) eval(expr hcl.Expression) (cty.Value, bool) {
	if !l.checkRefs(expr) {
		return cty.NilVal, false
	}
	val, d := expr.Value(l.ctx)
	for _, diag := range d {
		if diag.Summary == "Call to unknown function" && !strings.Contains(diag.Detail, "Did you mean") {
			diag.Detail += " Functions: " + strings.Join(l.functionNames(), ", ") + "."
		}
	}
	l.diags = append(l.diags, d...)
	if d.HasErrors() {
		return cty.NilVal, false
	}
	if n := deepSize(val, maxStoredSize); n > maxStoredSize {
		l.errorf(expr.Range(), "Value too large", "This value holds more than %d KiB of text and elements (counting each reference to a shared part); a spec never needs that much.", maxStoredSize>>10)
		return cty.NilVal, false
	}
	val, marks := val.UnmarkDeep()
	if len(marks) > 0 {
		l.sensitive[expr.Range()] = true
	}
	if !val.IsWhollyKnown() {
		// Only an earlier error (a missing variable, a broken local) leaves
		// a value unknown; that error is already reported.
		return cty.NilVal, false
	}
	return val, true
}

// explain returns problem, a message about the value at rng, or a neutral
// text when that value is sensitive (problems may quote parts of it).
func (l *loader) explain(rng hcl.Range, problem string) string {
	if l.sensitive[rng] {
		return quoted.ReplaceAllString(problem, "(hidden)")
	}
	return problem
}

var quoted = regexp.MustCompile(`"[^"]*"`)

// show quotes a value for a message, unless it derives from a sensitive variable.
func (l *loader) show(rng hcl.Range, value string) string {
	if l.sensitive[rng] {
		return "(sensitive value)"
	}
	return fmt.Sprintf("%q", value)
}

func (l *loader) errorf(rng hcl.Range, summary, detail string, args ...any) {
	r := rng
	l.diags = append(l.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: fmt.Sprintf(detail, args...), Subject: &r})
}

func (l *loader) warnf(rng hcl.Range, summary, detail string, args ...any) {
	r := rng
	l.diags = append(l.diags, &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: summary, Detail: fmt.Sprintf(detail, args...), Subject: &r})
}

// finishDiagnostics drops evaluation context from diagnostics whose
// expression touches a sensitive value, so no renderer can print it, and
// puts the diagnostics in source order.
func (l *loader) finishDiagnostics() hcl.Diagnostics {
	l.diags = explainLimits(l.diags)
	for _, d := range l.diags {
		if d.Expression == nil || d.EvalContext == nil {
			continue
		}
		for _, t := range d.Expression.Variables() {
			v, diags := t.TraverseAbs(d.EvalContext)
			if diags.HasErrors() || v.ContainsMarked() {
				d.Expression, d.EvalContext = nil, nil
				break
			}
		}
	}
	out := append(hcl.Diagnostics(nil), l.diags...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].Subject, out[j].Subject
		switch {
		case a == nil && b == nil:
			return false
		case a == nil:
			return true
		case b == nil:
			return false
		case a.Filename != b.Filename:
			return a.Filename < b.Filename
		}
		return a.Start.Byte < b.Start.Byte
	})
	return out
}

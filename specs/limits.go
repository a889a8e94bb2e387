package specs

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
)

// The limits of the spec language. A spec is text written by people; these
// bounds are far above what one needs and far below what would exhaust the
// machine, so that a careless or hostile spec ends in a diagnostic at
// file:line:col, never in a stack overflow, an out-of-memory crash or a run
// without end (docs/spec-language.md, "Limits").
const (
	// maxNesting bounds brackets, braces, parentheses, quotes and
	// interpolations open at once: the parser and the evaluator recurse on
	// them.
	maxNesting = 64
	// maxOperations bounds the operators, calls, interpolations and for
	// expressions of one attribute: evaluation recurses on operator chains.
	maxOperations = 1000
	// maxValueBytes bounds one string a function or template produces.
	maxValueBytes = 1 << 20
	// maxElements bounds one list, set or map a function produces.
	maxElements = 10000
	// maxWork bounds the work of a whole spec: bytes produced by
	// functions and templates plus workPerElement for each element a for
	// expression visits.
	maxWork        = 64 << 20
	workPerElement = 64
)

// scanLimits checks a spec file's tokens for nesting and operations before
// it is parsed, so that a file the parser would recurse on without end is
// reported instead. It returns one diagnostic per broken limit.
func scanLimits(src []byte, filename string) hcl.Diagnostics {
	tokens, _ := hclsyntax.LexConfig(src, filename, hcl.InitialPos)
	var diags hcl.Diagnostics
	// open holds the kinds of what is open; an attribute ends at a newline
	// where only braces (blocks, objects) are open.
	var open []hclsyntax.TokenType
	depth, ops := 0, 0
	deepReported, opsReported := false, false
	onlyBraces := func() bool {
		for _, o := range open {
			if o != hclsyntax.TokenOBrace {
				return false
			}
		}
		return true
	}
	for _, t := range tokens {
		switch t.Type {
		case hclsyntax.TokenOBrace, hclsyntax.TokenOBrack, hclsyntax.TokenOParen,
			hclsyntax.TokenOQuote, hclsyntax.TokenOHeredoc, hclsyntax.TokenTemplateInterp, hclsyntax.TokenTemplateControl:
			depth++
			if len(open) <= maxNesting {
				open = append(open, t.Type)
			}
			if t.Type == hclsyntax.TokenTemplateInterp || t.Type == hclsyntax.TokenTemplateControl {
				ops++
			}
			if depth > maxNesting && !deepReported {
				deepReported = true
				r := t.Range
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Nesting too deep",
					Detail:   fmt.Sprintf("Brackets, braces, parentheses, strings and interpolations are nested more than %d deep here. A spec never needs that many; use locals to name the parts.", maxNesting),
					Subject:  &r,
				})
			}
		case hclsyntax.TokenCBrace, hclsyntax.TokenCBrack, hclsyntax.TokenCParen,
			hclsyntax.TokenCQuote, hclsyntax.TokenCHeredoc, hclsyntax.TokenTemplateSeqEnd:
			depth = max(depth-1, 0)
			if len(open) > depth {
				open = open[:depth]
			}
		case hclsyntax.TokenNewline:
			if onlyBraces() {
				ops, opsReported = 0, false
			}
		case hclsyntax.TokenPlus, hclsyntax.TokenMinus, hclsyntax.TokenStar, hclsyntax.TokenSlash, hclsyntax.TokenPercent,
			hclsyntax.TokenEqualOp, hclsyntax.TokenNotEqual, hclsyntax.TokenLessThan, hclsyntax.TokenLessThanEq,
			hclsyntax.TokenGreaterThan, hclsyntax.TokenGreaterThanEq, hclsyntax.TokenAnd, hclsyntax.TokenOr,
			hclsyntax.TokenBang, hclsyntax.TokenQuestion, hclsyntax.TokenEllipsis, hclsyntax.TokenDot:
			ops++
		case hclsyntax.TokenIdent:
			if string(t.Bytes) == "for" {
				ops++
			}
		}
		if ops > maxOperations && !opsReported {
			opsReported = true
			r := t.Range
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Expression too long",
				Detail:   fmt.Sprintf("This expression has more than %d operators, calls and interpolations. A spec never needs that many; use locals to name the parts.", maxOperations),
				Subject:  &r,
			})
		}
	}
	return diags
}

// Internal functions that guard the work of templates and for expressions.
// bound rewrites a parsed file to call them; their names cannot be written
// in a spec.
const (
	templateFuncName = "mailform::template"
	countFuncName    = "mailform::count"
	checkFuncName    = "mailform::check"
	sizeFuncName     = "mailform::size"
)

// bound rewrites the expressions of body, in place, so that each template
// with interpolations becomes a call of templateFuncName (which checks the
// size of what it builds before building it) and each for expression's
// collection passes through countFuncName (which charges the elements the
// for expression will visit). Without this, "${local.s}${local.s}..." or a
// for expression over a large list would allocate without bound. It
// reports for expressions inside for expressions: their work grows as the
// product of their collections, and a spec never needs one.
func bound(body hcl.Body) hcl.Diagnostics {
	b, ok := body.(*hclsyntax.Body)
	if !ok {
		return nil
	}
	var diags hcl.Diagnostics
	for _, name := range SortedKeys(b.Attributes) {
		a := b.Attributes[name]
		a.Expr = boundExpr(a.Expr, 0, &diags)
	}
	for _, blk := range b.Blocks {
		diags = append(diags, bound(blk.Body)...)
	}
	return diags
}

// boundExpr rewrites e as bound does; fors is the number of for
// expressions e is inside.
func boundExpr(e hclsyntax.Expression, fors int, diags *hcl.Diagnostics) hclsyntax.Expression {
	sub := func(x hclsyntax.Expression) hclsyntax.Expression {
		if x == nil {
			return nil
		}
		return boundExpr(x, fors, diags)
	}
	switch x := e.(type) {
	case *hclsyntax.TemplateExpr:
		literal := true
		for i, p := range x.Parts {
			x.Parts[i] = sub(p)
			if _, isLit := p.(*hclsyntax.LiteralValueExpr); !isLit {
				literal = false
			}
		}
		if literal {
			return x
		}
		r := x.SrcRange
		return &hclsyntax.FunctionCallExpr{Name: templateFuncName, Args: x.Parts, NameRange: r, OpenParenRange: r, CloseParenRange: r}
	case *hclsyntax.ForExpr:
		if fors > 0 {
			r := x.OpenRange
			*diags = append(*diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "For expression inside a for expression",
				Detail:   "The work of nested for expressions grows as the product of their lists, and a spec never needs it. Build the inner list in a local value.",
				Subject:  &r,
			})
		}
		call := func(name string, arg hclsyntax.Expression) hclsyntax.Expression {
			r := arg.Range()
			return &hclsyntax.FunctionCallExpr{Name: name, Args: []hclsyntax.Expression{arg}, NameRange: r, OpenParenRange: r, CloseParenRange: r}
		}
		x.CollExpr = call(countFuncName, sub(x.CollExpr))
		fors++
		x.KeyExpr, x.ValExpr, x.CondExpr = sub(x.KeyExpr), sub(x.ValExpr), sub(x.CondExpr)
		// hcl evaluates a for expression's condition first and skips the
		// element when it fails: the work check there stops a for
		// expression at once when the work is spent, although hcl visits
		// every element. Each element's value is charged by its size.
		cond := x.CondExpr
		if cond == nil {
			cond = &hclsyntax.LiteralValueExpr{Val: cty.True, SrcRange: x.OpenRange}
		}
		x.CondExpr = call(checkFuncName, cond)
		x.ValExpr = call(sizeFuncName, x.ValExpr)
	case *hclsyntax.TemplateWrapExpr:
		x.Wrapped = sub(x.Wrapped)
	case *hclsyntax.TemplateJoinExpr:
		x.Tuple = sub(x.Tuple)
	case *hclsyntax.FunctionCallExpr:
		for i, a := range x.Args {
			x.Args[i] = sub(a)
		}
	case *hclsyntax.ConditionalExpr:
		x.Condition, x.TrueResult, x.FalseResult = sub(x.Condition), sub(x.TrueResult), sub(x.FalseResult)
	case *hclsyntax.BinaryOpExpr:
		x.LHS, x.RHS = sub(x.LHS), sub(x.RHS)
	case *hclsyntax.UnaryOpExpr:
		x.Val = sub(x.Val)
	case *hclsyntax.TupleConsExpr:
		for i, a := range x.Exprs {
			x.Exprs[i] = sub(a)
		}
	case *hclsyntax.ObjectConsExpr:
		for i := range x.Items {
			x.Items[i].KeyExpr, x.Items[i].ValueExpr = sub(x.Items[i].KeyExpr), sub(x.Items[i].ValueExpr)
		}
	case *hclsyntax.ObjectConsKeyExpr:
		// A bare word is a literal key; anything else may be a template.
		if hcl.ExprAsKeyword(x.Wrapped) == "" {
			x.Wrapped = sub(x.Wrapped)
		}
	case *hclsyntax.IndexExpr:
		x.Collection, x.Key = sub(x.Collection), sub(x.Key)
	case *hclsyntax.SplatExpr:
		x.Source, x.Each = sub(x.Source), sub(x.Each)
	case *hclsyntax.RelativeTraversalExpr:
		x.Source = sub(x.Source)
	case *hclsyntax.ParenthesesExpr:
		x.Expression = sub(x.Expression)
	}
	return e
}

// workSpent begins the message of a spec whose work is spent.
const workSpent = "evaluating this spec has produced more than"

// work counts what evaluating a spec has produced and visited, against
// maxWork.
type work struct{ used int64 }

func (w *work) charge(n int64) error {
	w.used += n
	if w.used > maxWork {
		return fmt.Errorf("%s %d MiB of values; a spec never needs that much (look for a function applied to its own result, or for expressions inside for expressions)", workSpent, maxWork>>20)
	}
	return nil
}

// templateFunc builds a string template's value as hclsyntax does, after
// checking the size of the result.
func (w *work) templateFunc() function.Function {
	return function.New(&function.Spec{
		Description: "Builds a string template.",
		VarParam: &function.Parameter{
			Name: "parts", Type: cty.DynamicPseudoType,
			AllowNull: true, AllowUnknown: true, AllowDynamicType: true, AllowMarked: true,
		},
		Type: func(args []cty.Value) (cty.Type, error) { return cty.String, nil },
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			var marks []cty.ValueMarks
			parts := make([]string, 0, len(args))
			size := 0
			unknown := false
			for i, a := range args {
				v, m := a.UnmarkDeep()
				marks = append(marks, m)
				switch {
				case !v.IsKnown():
					unknown = true
					continue
				case v.IsNull():
					return cty.NilVal, function.NewArgErrorf(i, "a template cannot include a null value")
				}
				s, err := convert.Convert(v, cty.String)
				if err != nil {
					return cty.NilVal, function.NewArgErrorf(i, "a template can include only strings, numbers and booleans, not %s", v.Type().FriendlyName())
				}
				size += len(s.AsString())
				if size > maxValueBytes {
					return cty.NilVal, fmt.Errorf("this template would build a string of more than %d bytes", maxValueBytes)
				}
				parts = append(parts, s.AsString())
			}
			if unknown {
				return cty.UnknownVal(cty.String).WithMarks(marks...), nil
			}
			if err := w.charge(int64(size)); err != nil {
				return cty.NilVal, err
			}
			return cty.StringVal(strings.Join(parts, "")).WithMarks(marks...), nil
		},
	})
}

// countFunc passes a for expression's collection through, charging the
// elements the for expression will visit.
func (w *work) countFunc() function.Function {
	return function.New(&function.Spec{
		Description: "Counts the elements a for expression visits.",
		Params: []function.Parameter{{
			Name: "collection", Type: cty.DynamicPseudoType,
			AllowNull: true, AllowUnknown: true, AllowDynamicType: true, AllowMarked: true,
		}},
		Type: func(args []cty.Value) (cty.Type, error) { return args[0].Type(), nil },
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			v, _ := args[0].Unmark()
			if v.IsKnown() && !v.IsNull() && v.CanIterateElements() {
				if err := w.charge(int64(v.LengthInt()) * workPerElement); err != nil {
					return cty.NilVal, err
				}
			}
			return args[0], nil
		},
	})
}

// checkFunc passes a for expression's condition through, failing once the
// spec's work is spent.
func (w *work) checkFunc() function.Function {
	return function.New(&function.Spec{
		Description: "Stops a for expression once the spec's work is spent.",
		Params: []function.Parameter{{
			Name: "condition", Type: cty.DynamicPseudoType,
			AllowNull: true, AllowUnknown: true, AllowDynamicType: true, AllowMarked: true,
		}},
		Type: func(args []cty.Value) (cty.Type, error) { return args[0].Type(), nil },
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			if err := w.charge(0); err != nil {
				return cty.NilVal, err
			}
			return args[0], nil
		},
	})
}

// sizeFunc passes an element a for expression produces through, charging
// its size.
func (w *work) sizeFunc() function.Function {
	return function.New(&function.Spec{
		Description: "Charges the size of an element a for expression produces.",
		Params: []function.Parameter{{
			Name: "value", Type: cty.DynamicPseudoType,
			AllowNull: true, AllowUnknown: true, AllowDynamicType: true, AllowMarked: true,
		}},
		Type: func(args []cty.Value) (cty.Type, error) { return args[0].Type(), nil },
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			if err := w.charge(deepSize(args[0], maxWork-w.used+1)); err != nil {
				return cty.NilVal, err
			}
			return args[0], nil
		},
	})
}

// deepSize is the work a value stands for, counting shared parts each time
// they appear: bytes of text and workPerElement per element, at every
// level. It stops counting past limit.
func deepSize(v cty.Value, limit int64) int64 {
	var n int64
	var walk func(v cty.Value)
	walk = func(v cty.Value) {
		if n > limit {
			return
		}
		v, _ = v.Unmark()
		if !v.IsKnown() || v.IsNull() {
			return
		}
		switch {
		case v.Type() == cty.String:
			n += int64(len(v.AsString()))
		case v.CanIterateElements():
			for it := v.ElementIterator(); it.Next() && n <= limit; {
				_, e := it.Element()
				n += workPerElement
				walk(e)
			}
		}
	}
	walk(v)
	return n
}

// maxStoredSize bounds a variable's or local's value (deepSize): every
// function given it walks all of it.
const maxStoredSize = 1 << 20

// bounded wraps a function so that what it would build is estimated, from
// its arguments, before it is built (estimate returns the bytes or elements
// of the result, or an error), and charged to the spec's work.
func (w *work) bounded(f function.Function, estimate func(args []cty.Value) (int64, error)) function.Function {
	spec := &function.Spec{
		Description: f.Description(),
		Params:      f.Params(),
		VarParam:    f.VarParam(),
		Type:        func(args []cty.Value) (cty.Type, error) { return f.ReturnTypeForValues(args) },
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			if estimate != nil {
				n, err := estimate(args)
				if err != nil {
					return cty.NilVal, err
				}
				if err := w.charge(n); err != nil {
					return cty.NilVal, err
				}
			}
			out, err := f.Call(args)
			if err != nil {
				return out, err
			}
			return out, w.charge(deepSize(out, maxWork))
		},
	}
	return function.New(spec)
}

func tooLarge(what string, n int64, limit int64) error {
	return fmt.Errorf("the result would have %d %s; a function result may have at most %d", n, what, limit)
}

// Estimates of the functions whose result can be much larger than their
// arguments, computed before the result is built.

func estimateReplace(args []cty.Value) (int64, error) {
	s, sub, repl := args[0].AsString(), args[1].AsString(), args[2].AsString()
	n := int64(len(s)) + int64(strings.Count(s, sub))*(int64(len(repl))-int64(len(sub)))
	if n > maxValueBytes {
		return 0, tooLarge("bytes", n, maxValueBytes)
	}
	return n, nil
}

func estimateSplit(args []cty.Value) (int64, error) {
	n := int64(strings.Count(args[1].AsString(), args[0].AsString()) + 1)
	if n > maxElements {
		return 0, tooLarge("elements", n, maxElements)
	}
	return n * workPerElement, nil
}

func estimateJoin(args []cty.Value) (int64, error) {
	sep := int64(len(args[0].AsString()))
	var n, count int64
	for _, list := range args[1:] {
		if !list.IsKnown() || list.IsNull() || !list.CanIterateElements() {
			continue
		}
		for it := list.ElementIterator(); it.Next(); {
			_, e := it.Element()
			count++
			if e.Type() == cty.String && e.IsKnown() && !e.IsNull() {
				n += int64(len(e.AsString()))
			}
		}
	}
	if count > 0 {
		n += (count - 1) * sep
	}
	if n > maxValueBytes {
		return 0, tooLarge("bytes", n, maxValueBytes)
	}
	return n, nil
}

func estimateConcat(args []cty.Value) (int64, error) {
	var n int64
	for _, list := range args {
		if list.IsKnown() && !list.IsNull() && list.CanIterateElements() {
			n += int64(list.LengthInt())
		}
	}
	if n > maxElements {
		return 0, tooLarge("elements", n, maxElements)
	}
	return n * workPerElement, nil
}

// estimateFormat bounds format's result by its format string, its string
// arguments, and the widths of its verbs (each at most maxFormatWidth).
func estimateFormat(args []cty.Value) (int64, error) {
	f := args[0].AsString()
	n := int64(len(f))
	for _, prefix := range formatVerbPrefix.FindAllString(f, -1) {
		for _, num := range digitRun.FindAllString(prefix, -1) {
			w, err := strconv.Atoi(num)
			if err != nil || w > maxFormatWidth {
				return 0, function.NewArgErrorf(0, "a width or precision in the format is larger than %d", maxFormatWidth)
			}
			n += int64(w)
		}
	}
	for _, a := range args[1:] {
		if a.Type() == cty.String && a.IsKnown() && !a.IsNull() {
			n += int64(len(a.AsString()))
		} else {
			n += 64
		}
	}
	if n > maxValueBytes {
		return 0, tooLarge("bytes", n, maxValueBytes)
	}
	return n, nil
}

// parseBounded parses a spec or variables file within the language's
// limits: a file that breaks them is reported and not parsed, and the
// parsed file's templates and for expressions are bounded.
func parseBounded(src []byte, filename string) (*hcl.File, hcl.Diagnostics) {
	if d := scanLimits(src, filename); d.HasErrors() {
		// The file is kept, unparsed, so diagnostics show its lines.
		return &hcl.File{Body: hcl.EmptyBody(), Bytes: src}, d
	}
	f, d := hclsyntax.ParseConfig(src, filename, hcl.InitialPos)
	if f != nil && !d.HasErrors() {
		d = append(d, bound(f.Body)...)
	}
	return f, d
}

// explainLimits words the diagnostics of the internal functions as the
// limits they enforce, and keeps one diagnostic for the spec's work: once
// it is spent, every later call fails the same way.
func explainLimits(diags hcl.Diagnostics) hcl.Diagnostics {
	var out hcl.Diagnostics
	workReported := false
	for _, d := range diags {
		for _, name := range []string{templateFuncName, countFuncName, checkFuncName, sizeFuncName} {
			if rest, ok := strings.CutPrefix(d.Detail, fmt.Sprintf("Call to function %q failed: ", name)); ok && rest != "" {
				d.Summary, d.Detail = "Too much work", strings.ToUpper(rest[:1])+rest[1:]
				if name == templateFuncName {
					d.Summary = "Template too large"
				}
			}
		}
		if strings.Contains(strings.ToLower(d.Detail), workSpent) {
			if workReported {
				continue
			}
			workReported = true
			d.Summary = "Too much work"
		}
		out = append(out, d)
	}
	return out
}

// SourceFile gives a file's source for rendering diagnostics
// (WriteDiagnostics): parsed when it is within the language's limits, so
// that snippets can name their block, and left unparsed otherwise.
func SourceFile(src []byte, filename string) *hcl.File {
	if len(src) <= maxSpecFileSize && !scanLimits(src, filename).HasErrors() {
		if f, _ := hclsyntax.ParseConfig(src, filename, hcl.InitialPos); f != nil && f.Bytes != nil {
			return f
		}
	}
	return &hcl.File{Bytes: src}
}

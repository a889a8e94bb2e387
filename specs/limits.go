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
	depth, ops := 0, 0
	deepReported, opsReported := false, false
	for _, t := range tokens {
		switch t.Type {
		case hclsyntax.TokenOBrace, hclsyntax.TokenOBrack, hclsyntax.TokenOParen,
			hclsyntax.TokenOQuote, hclsyntax.TokenOHeredoc, hclsyntax.TokenTemplateInterp, hclsyntax.TokenTemplateControl:
			depth++
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
		case hclsyntax.TokenNewline:
			if depth == 0 {
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
)

// bound rewrites the expressions of body, in place, so that each template
// with interpolations becomes a call of templateFuncName (which checks the
// size of what it builds before building it) and each for expression's
// collection passes through countFuncName (which charges the elements the
// for expression will visit). Without this, "${local.s}${local.s}..." or
// nested for expressions would allocate without bound.
func bound(body hcl.Body) {
	b, ok := body.(*hclsyntax.Body)
	if !ok {
		return
	}
	for _, a := range b.Attributes {
		a.Expr = boundExpr(a.Expr)
	}
	for _, blk := range b.Blocks {
		bound(blk.Body)
	}
}

func boundExpr(e hclsyntax.Expression) hclsyntax.Expression {
	switch x := e.(type) {
	case *hclsyntax.TemplateExpr:
		literal := true
		for i, p := range x.Parts {
			x.Parts[i] = boundExpr(p)
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
		r := x.CollExpr.Range()
		x.CollExpr = &hclsyntax.FunctionCallExpr{Name: countFuncName, Args: []hclsyntax.Expression{boundExpr(x.CollExpr)}, NameRange: r, OpenParenRange: r, CloseParenRange: r}
		x.KeyExpr = boundOptional(x.KeyExpr)
		x.ValExpr = boundExpr(x.ValExpr)
		x.CondExpr = boundOptional(x.CondExpr)
	case *hclsyntax.TemplateWrapExpr:
		x.Wrapped = boundExpr(x.Wrapped)
	case *hclsyntax.TemplateJoinExpr:
		x.Tuple = boundExpr(x.Tuple)
	case *hclsyntax.FunctionCallExpr:
		for i, a := range x.Args {
			x.Args[i] = boundExpr(a)
		}
	case *hclsyntax.ConditionalExpr:
		x.Condition = boundExpr(x.Condition)
		x.TrueResult = boundExpr(x.TrueResult)
		x.FalseResult = boundExpr(x.FalseResult)
	case *hclsyntax.BinaryOpExpr:
		x.LHS = boundExpr(x.LHS)
		x.RHS = boundExpr(x.RHS)
	case *hclsyntax.UnaryOpExpr:
		x.Val = boundExpr(x.Val)
	case *hclsyntax.TupleConsExpr:
		for i, a := range x.Exprs {
			x.Exprs[i] = boundExpr(a)
		}
	case *hclsyntax.ObjectConsExpr:
		for i := range x.Items {
			x.Items[i].KeyExpr = boundExpr(x.Items[i].KeyExpr)
			x.Items[i].ValueExpr = boundExpr(x.Items[i].ValueExpr)
		}
	case *hclsyntax.ObjectConsKeyExpr:
		// A bare word is a literal key; anything else may be a template.
		if hcl.ExprAsKeyword(x.Wrapped) == "" {
			x.Wrapped = boundExpr(x.Wrapped)
		}
	case *hclsyntax.IndexExpr:
		x.Collection = boundExpr(x.Collection)
		x.Key = boundExpr(x.Key)
	case *hclsyntax.SplatExpr:
		x.Source = boundExpr(x.Source)
		x.Each = boundExpr(x.Each)
	case *hclsyntax.RelativeTraversalExpr:
		x.Source = boundExpr(x.Source)
	case *hclsyntax.ParenthesesExpr:
		x.Expression = boundExpr(x.Expression)
	}
	return e
}

func boundOptional(e hclsyntax.Expression) hclsyntax.Expression {
	if e == nil {
		return nil
	}
	return boundExpr(e)
}

// work counts what evaluating a spec has produced and visited, against
// maxWork.
type work struct{ used int64 }

func (w *work) charge(n int64) error {
	w.used += n
	if w.used > maxWork {
		return fmt.Errorf("evaluating this spec has produced more than %d MiB of values; a spec never needs that much (look for a function applied to its own result, or for expressions inside for expressions)", maxWork>>20)
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
			return out, w.charge(valueSize(out))
		},
	}
	return function.New(spec)
}

// valueSize is the work a value stands for: its bytes of text and
// workPerElement for each element.
func valueSize(v cty.Value) int64 {
	v, _ = v.UnmarkDeep()
	if !v.IsKnown() || v.IsNull() {
		return 0
	}
	switch {
	case v.Type() == cty.String:
		return int64(len(v.AsString()))
	case v.CanIterateElements():
		n := int64(v.LengthInt()) * workPerElement
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			if e.Type() == cty.String && e.IsKnown() && !e.IsNull() {
				n += int64(len(e.AsString()))
			}
		}
		return n
	}
	return 0
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
	if f != nil {
		bound(f.Body)
	}
	return f, d
}

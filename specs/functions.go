package specs

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// functions are the functions a spec may call. Those whose result can
// outgrow their arguments are bounded (limits.go), and every result is
// charged to the spec's work.
func (l *loader) functions() map[string]function.Function {
	w := l.work
	return map[string]function.Function{
		"file":      w.bounded(fileFunc(l.dir), nil),
		"trimspace": w.bounded(stdlib.TrimSpaceFunc, nil),
		"join":      w.bounded(stdlib.JoinFunc, estimateJoin),
		"format":    w.bounded(boundedFormatFunc, estimateFormat),
		"lower":     w.bounded(stdlib.LowerFunc, nil),
		"upper":     w.bounded(stdlib.UpperFunc, nil),
		"concat":    w.bounded(stdlib.ConcatFunc, estimateConcat),
		"replace":   w.bounded(stdlib.ReplaceFunc, estimateReplace),
		"split":     w.bounded(stdlib.SplitFunc, estimateSplit),
		"length":    lengthFunc,
		"tostring":  w.bounded(stdlib.MakeToFunc(cty.String), nil),

		templateFuncName: w.templateFunc(),
		countFuncName:    w.countFunc(),
		checkFuncName:    w.checkFunc(),
		sizeFuncName:     w.sizeFunc(),
	}
}

// maxFileSize bounds what file() reads: specs hold texts, not archives.
const maxFileSize = 1 << 20

// fileFunc reads a UTF-8 text file inside dir, the spec's folder, named
// relative to it (readInside).
func fileFunc(dir string) function.Function {
	return function.New(&function.Spec{
		Description: "Reads the contents of a text file inside the spec's folder, named relative to it.",
		Params:      []function.Parameter{{Name: "path", Type: cty.String}},
		Type:        function.StaticReturnType(cty.String),
		RefineResult: func(b *cty.RefinementBuilder) *cty.RefinementBuilder {
			return b.NotNull()
		},
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			rel := args[0].AsString()
			src, err := readInside(dir, rel, maxFileSize)
			if err != nil {
				return cty.NilVal, function.NewArgError(0, err)
			}
			if !utf8.Valid(src) {
				return cty.NilVal, function.NewArgErrorf(0, "%q is not UTF-8 text", rel)
			}
			return cty.StringVal(string(src)), nil
		},
	})
}

// lengthFunc counts the characters of a string or the elements of a
// collection, as Terraform's length does.
var lengthFunc = function.New(&function.Spec{
	Description: "Returns the number of characters in a string or of elements in a list, set or map.",
	Params: []function.Parameter{{
		Name:             "value",
		Type:             cty.DynamicPseudoType,
		AllowDynamicType: true,
		AllowUnknown:     true,
		AllowMarked:      true,
	}},
	Type: func(args []cty.Value) (cty.Type, error) {
		ty := args[0].Type()
		switch {
		case ty == cty.String, ty.IsCollectionType(), ty.IsTupleType(), ty.IsObjectType(), ty == cty.DynamicPseudoType:
			return cty.Number, nil
		}
		return cty.NilType, function.NewArgErrorf(0, "length() takes a string, a list, a set or a map, not %s", ty.FriendlyName())
	},
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		v, marks := args[0].Unmark()
		if !v.IsKnown() {
			return cty.UnknownVal(cty.Number).WithMarks(marks), nil
		}
		if v.IsNull() {
			return cty.NilVal, function.NewArgErrorf(0, "length() of a null value")
		}
		if v.Type() == cty.String {
			n, err := stdlib.Strlen(v)
			if err != nil {
				return cty.NilVal, fmt.Errorf("length: %w", err)
			}
			return n.WithMarks(marks), nil
		}
		if v.Type().IsObjectType() {
			return cty.NumberIntVal(int64(len(v.Type().AttributeTypes()))).WithMarks(marks), nil
		}
		return v.Length().WithMarks(marks), nil
	},
})

// maxFormatWidth bounds widths and precisions in format(): a spec has no use
// for more, and "%900000000s" would build a string of that size.
const maxFormatWidth = 10000

var formatVerbPrefix = regexp.MustCompile(`%[^a-zA-Z%]*`)
var digitRun = regexp.MustCompile(`[0-9]+`)

// boundedFormatFunc is the standard format function with bounded widths.
var boundedFormatFunc = function.New(&function.Spec{
	Description: stdlib.FormatFunc.Description(),
	Params:      stdlib.FormatFunc.Params(),
	VarParam:    stdlib.FormatFunc.VarParam(),
	Type: func(args []cty.Value) (cty.Type, error) {
		return cty.String, nil
	},
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		if f := args[0]; f.IsKnown() && !f.IsNull() {
			for _, prefix := range formatVerbPrefix.FindAllString(f.AsString(), -1) {
				for _, num := range digitRun.FindAllString(prefix, -1) {
					if n, err := strconv.Atoi(num); err != nil || n > maxFormatWidth {
						return cty.NilVal, function.NewArgErrorf(0, "a width or precision in the format is larger than %d", maxFormatWidth)
					}
				}
			}
		}
		return stdlib.FormatFunc.Call(args)
	},
})

// functionNames are the functions a spec may call, sorted, without the
// internal ones (limits.go).
func (l *loader) functionNames() []string {
	var names []string
	for _, n := range SortedKeys(l.functions()) {
		if !strings.Contains(n, "::") {
			names = append(names, n)
		}
	}
	return names
}

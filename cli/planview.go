package cli

import (
	"fmt"

	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/plan/render"
)

// planView writes a plan in one output form (plan's -json, -markdown or
// the default lines for a person). The plan command decides what the plan
// is and where it is saved; the view decides only how it looks.
type planView interface {
	// Plan writes p; savedTo is the -out file it was saved to ("" when not
	// saved), which the human form tells how to apply.
	Plan(p *plan.Plan, savedTo string) error
}

// newPlanView returns the view of plan's output form; -json and -markdown
// were checked not to be given together.
func newPlanView(io IO, asJSON, asMarkdown bool, markdownMax int, color bool) planView {
	switch {
	case asJSON:
		return jsonPlanView{io: io}
	case asMarkdown:
		return markdownPlanView{io: io, max: markdownMax}
	}
	return humanPlanView{io: io, color: color}
}

// humanPlanView writes the plan as lines for a terminal or a CI log.
type humanPlanView struct {
	io    IO
	color bool
}

func (v humanPlanView) Plan(p *plan.Plan, savedTo string) error {
	if err := render.Human(v.io.Stdout, p, render.HumanOptions{Color: v.color}); err != nil {
		return err
	}
	if savedTo != "" {
		fmt.Fprintf(v.io.Stdout, "\nSaved the plan to %s. Apply exactly these changes with:\n  mailform apply %s\n", savedTo, savedTo)
	}
	return nil
}

// jsonPlanView writes the plan in the schema of docs/plan-json.md.
type jsonPlanView struct{ io IO }

func (v jsonPlanView) Plan(p *plan.Plan, _ string) error { return render.JSON(v.io.Stdout, p) }

// markdownPlanView writes the plan for a pull-request comment, within max
// characters (0: no limit).
type markdownPlanView struct {
	io  IO
	max int
}

func (v markdownPlanView) Plan(p *plan.Plan, _ string) error {
	return render.MarkdownView{MaxChars: v.max}.Render(v.io.Stdout, p)
}

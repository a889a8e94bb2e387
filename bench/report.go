package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
)

// writeTable prints one line per tool, scenario, size and operation, then
// the calls per service and operation that differ most from the minimum.
func writeTable(w io.Writer, rs []result) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "tool\tscen\tN\toperation\tcalls\tmin\tratio\twall s\tfloor s\tratio\tAWS s\tRSS MB\tCPU s\tCPU ms/res\tthrottled\t")
	for _, r := range rs {
		status := ""
		if r.Error != "" {
			status = " (failed)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s%s\t%d\t%s\t%s\t%.2f\t%s\t%s\t%.0f\t%.0f\t%.2f\t%.2f\t%d\t\n",
			r.Tool, r.Scenario, r.Domains, r.Operation, status, r.CallsTotal,
			optInt(r.MinimumTotal), optRatio(r.CallsRatio), r.WallSeconds, optFloat(r.FloorSeconds), optRatio(r.WallRatio),
			r.AWSSeconds, r.PeakRSSMB, r.CPUSeconds, r.CPUPerResourceMs, r.ThrottledTotal)
	}
	tw.Flush()
	for _, r := range rs {
		if r.Tool != "mailform" || r.MinimumTotal == 0 {
			continue
		}
		if lines := excess(r); len(lines) > 0 {
			fmt.Fprintf(w, "\n%s %s N=%d %s: calls above the minimum\n  %s\n", r.Tool, r.Scenario, r.Domains, r.Operation, strings.Join(lines, "\n  "))
		}
	}
}

// excess lists the operations whose calls exceed the minimum, largest first.
func excess(r result) []string {
	min := map[string]int{}
	for _, l := range r.Minimum {
		min[l.Service+":"+l.Operation] += l.Calls
	}
	type row struct {
		key       string
		got, want int
	}
	var rows []row
	for svc, ops := range r.Calls {
		for op, n := range ops {
			k := svc + ":" + op
			if n > min[k] {
				rows = append(rows, row{k, n, min[k]})
			}
		}
	}
	sort.Slice(rows, func(i, j int) bool {
		di, dj := rows[i].got-rows[i].want, rows[j].got-rows[j].want
		if di != dj {
			return di > dj
		}
		return rows[i].key < rows[j].key
	})
	var out []string
	for _, x := range rows {
		out = append(out, fmt.Sprintf("%-55s %6d (minimum %d)", x.key, x.got, x.want))
	}
	return out
}

func optInt(n int) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprint(n)
}

func optFloat(f float64) string {
	if f == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", f)
}

func optRatio(f float64) string {
	if f == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2fx", f)
}

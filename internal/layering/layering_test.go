// Package layering holds the test that enforces the dependency rules the
// package comments of mailform state: specs -> plan -> providers -> apply
// (and the other engines) -> cli -> main; the product never imports the AWS
// double (internal/awstest) except in cli's sandbox and demo commands; the
// packages that must not talk to AWS do not import its SDK.
//
// The rules are one table (layerOf, mayImport below). When a package moves or
// a new one appears, the test names it and the table is the one place to
// change. It reads import lists with go/build only; it has no code outside
// this test.
package layering

import (
	"errors"
	"fmt"
	"go/build"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/mailform/mailform"

// layerOf places every package of the module (import path relative to the
// module; "" is main) in a layer. A package not listed fails the test.
var layerOf = map[string]string{
	"internal/dnsvalue": "base",
	"internal/version":  "base",
	"internal/golden":   "testing",
	// Fixtures of plan's tests (the stack acme-prod, representative plans).
	"plan/internal/fixture":  "fixture",
	"plan/internal/plantest": "fixture",

	// The rules of mail authentication (SPF, DMARC, DKIM) and the canonical
	// form of IAM policy documents: facts that specs, providers and check
	// share.
	"mailauth":           "base",
	"internal/policydoc": "base",

	"specs":       "spec",
	"specs/kinds": "schema", // each resource kind's schema, read by plan and everything above it
	"plan":        "plan",
	// A plan's file format and its renderings: they read plan's model and
	// nothing above it.
	"plan/planfile": "planview",
	"plan/render":   "planview",

	// Shared infrastructure: AWS configuration and errors, secret stores,
	// the stack lock and the IAM policy each command needs.
	"internal/awscfg":      "infra",
	"internal/secrets":     "infra",
	"internal/lock":        "infra",
	"internal/permissions": "infra",

	// The seam between the engines and the providers.
	"providers": "seam",

	"providers/cloudwatch": "provider",
	"providers/dkimkey":    "provider",
	"providers/ec2":        "provider",
	"providers/iam":        "provider",
	"providers/route53":    "provider",
	"providers/ses":        "provider",
	"providers/sns":        "provider",
	"providers/sqs":        "provider",

	"apply":          "engine",
	"check":          "engine",
	"check/status":   "engine",
	"check/testsend": "engine",
	"requests":       "engine",
	"importer":       "engine",

	"cli": "cli",
	"":    "main",

	"internal/awstest":           "double",
	"internal/awstest/sesdouble": "double",

	// Test suites and tools outside the product: they may use anything.
	"internal/acceptance":       "tool",
	"internal/awsrecord":        "tool",
	"bench":                     "tool",
	"examples/many-domains":     "tool",
	"examples/many-domains/gen": "tool",
	"internal/layering":         "tool",
}

// mayImport lists, per layer, the layers whose packages its non-test files
// may import. A layer may import its own packages only when it lists itself.
var mayImport = map[string][]string{
	"base":    {"base"},
	"testing": {"base"},
	"spec":    {"base"},
	"schema":  {"base", "spec"},
	"plan":    {"base", "spec", "schema"},
	// The plan file and the renderings sit beside plan: the seam, the
	// providers and the engines do not need them; cli does.
	"planview": {"base", "spec", "schema", "plan"},
	"fixture":  {"base", "spec", "schema", "plan", "fixture"},
	"infra":    {"base", "spec", "schema", "infra"},
	// Providers meet the engines only through the seam: a provider kind
	// never imports another kind.
	"seam":     {"base", "spec", "schema", "plan"},
	"provider": {"base", "spec", "schema", "plan", "infra", "seam"},
	"engine":   {"base", "spec", "schema", "plan", "infra", "seam", "provider", "engine"},
	"cli":      {"base", "spec", "schema", "plan", "planview", "infra", "seam", "provider", "engine"},
	"main":     {"cli"},
	"double":   {"base", "double"},
	"tool":     {"base", "testing", "spec", "schema", "plan", "planview", "infra", "seam", "provider", "engine", "cli", "double", "tool"},
}

// doubleImporters are the only product files that may import the double:
// the commands that start it for their user.
var doubleImporters = []string{"cli/sandbox.go", "cli/demo.go"}

// noAWS lists the packages whose comment says they must not talk to AWS:
// they may not import the AWS SDK at all.
var noAWS = []string{"specs", "specs/kinds", "plan", "plan/planfile", "plan/render", "requests", "internal/permissions", "internal/dnsvalue", "mailauth", "internal/policydoc"}

const awsSDK = "github.com/aws/"

// pkg is what the rules need of a package: its non-test imports and the
// file each comes from.
type pkg struct {
	rel     string              // import path relative to the module
	imports map[string][]string // import path -> files (relative to the module root)
}

func TestLayering(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	pkgs, err := load(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) < len(layerOf)/2 {
		t.Fatalf("found only %d packages under %s", len(pkgs), root)
	}
	for _, p := range violations(pkgs) {
		t.Error(p)
	}
	// A package in the table that no longer exists is a stale rule.
	seen := map[string]bool{}
	for _, p := range pkgs {
		seen[p.rel] = true
	}
	for rel := range layerOf {
		if !seen[rel] {
			t.Errorf("layerOf lists %q, which is not a package of the module any more: remove or rename it", rel)
		}
	}
}

// TestViolationsNamed shows that the rules catch what they are for, on
// packages made up for the purpose.
func TestViolationsNamed(t *testing.T) {
	pkgs := []pkg{
		{rel: "plan", imports: map[string][]string{module + "/apply": {"plan/x.go"}}},
		{rel: "specs", imports: map[string][]string{"github.com/aws/aws-sdk-go-v2/aws": {"specs/y.go"}}},
		{rel: "cli", imports: map[string][]string{module + "/internal/awstest": {"cli/plan.go", "cli/sandbox.go"}}},
		{rel: "providers/ses", imports: map[string][]string{module + "/providers/sns": {"providers/ses/z.go"}}},
		{rel: "newpkg", imports: nil},
		{rel: "apply", imports: map[string][]string{module + "/providers": {"apply/ok.go"}}},
	}
	got := violations(pkgs)
	want := []string{
		"plan/x.go imports apply",
		"specs/y.go imports github.com/aws/aws-sdk-go-v2/aws",
		"cli/plan.go imports internal/awstest",
		"providers/ses/z.go imports providers/sns",
		"newpkg is in no layer",
	}
	for _, w := range want {
		if !slices.ContainsFunc(got, func(g string) bool { return strings.HasPrefix(g, w) }) {
			t.Errorf("no violation starting %q in:\n%s", w, strings.Join(got, "\n"))
		}
	}
	if len(got) != len(want) {
		t.Errorf("got %d violations, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
}

// violations checks pkgs against the table and returns one line per
// offending import, naming the file, the import and the rule.
func violations(pkgs []pkg) []string {
	var out []string
	for _, p := range pkgs {
		layer, ok := layerOf[p.rel]
		if !ok {
			out = append(out, fmt.Sprintf("%s is in no layer: add it to layerOf in internal/layering", display(p.rel)))
			continue
		}
		for _, imp := range slices.Sorted(maps.Keys(p.imports)) {
			files := p.imports[imp]
			if strings.HasPrefix(imp, awsSDK) && slices.Contains(noAWS, p.rel) {
				out = append(out, fmt.Sprintf("%s imports %s: %s must not talk to AWS", files[0], imp, display(p.rel)))
				continue
			}
			rel, ours := strings.CutPrefix(imp, module+"/")
			if !ours {
				continue
			}
			to, ok := layerOf[rel]
			if !ok {
				continue // reported as a package in no layer
			}
			if to == "double" && layer == "cli" {
				for _, f := range files {
					if !slices.Contains(doubleImporters, f) {
						out = append(out, fmt.Sprintf("%s imports %s: only %s may start the AWS double", f, rel, strings.Join(doubleImporters, " and ")))
					}
				}
				continue
			}
			if !slices.Contains(mayImport[layer], to) {
				out = append(out, fmt.Sprintf("%s imports %s: %s (%s) may import only the layers %s, and %s is %s",
					files[0], rel, display(p.rel), layer, strings.Join(mayImport[layer], ", "), rel, to))
			}
		}
	}
	return out
}

func display(rel string) string {
	if rel == "" {
		return "main"
	}
	return rel
}

// load reads the non-test imports of every package under root.
func load(root string) ([]pkg, error) {
	var pkgs []pkg
	err := filepath.WalkDir(root, func(dir string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if dir != root && (name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
			return filepath.SkipDir
		}
		if dir != root {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				return filepath.SkipDir // another module
			}
		}
		bp, err := build.ImportDir(dir, 0)
		var noGo *build.NoGoError
		if errors.As(err, &noGo) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", dir, err)
		}
		rel, err := filepath.Rel(root, dir)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if rel == "." {
			rel = ""
		}
		p := pkg{rel: rel, imports: map[string][]string{}}
		for imp, positions := range bp.ImportPos {
			for _, pos := range positions {
				f, err := filepath.Rel(root, pos.Filename)
				if err != nil {
					return err
				}
				f = filepath.ToSlash(f)
				if !slices.Contains(p.imports[imp], f) {
					p.imports[imp] = append(p.imports[imp], f)
				}
			}
			slices.Sort(p.imports[imp])
		}
		pkgs = append(pkgs, p)
		return nil
	})
	return pkgs, err
}

package specs

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// A spec is confined to its folder: file() and `file:` secret locations name
// files inside it, so that a spec from a pull request cannot read the
// machine that plans it (the runner's /proc/self/environ holds its AWS
// credentials). Values from outside the spec (-var, -var-file, declared
// MAILFORM_VAR_ variables) are not files read by the spec and are not
// confined.

// systemTrees are never read, wherever a symlink points.
var systemTrees = []string{"/proc", "/dev", "/sys"}

// insideProblem explains why rel, a path a spec wrote, does not name a place
// inside dir, or returns "". It refuses absolute paths and ".." steps before
// looking at the disk, then resolves symlinks (of the path itself or, for a
// file not yet written, of its nearest existing parent) and refuses anything
// that lands outside dir or in /proc, /dev or /sys.
func insideProblem(dir, rel string) string {
	switch {
	case rel == "":
		return "the path is empty"
	case filepath.IsAbs(rel) || strings.HasPrefix(rel, "/") || strings.HasPrefix(rel, `\`):
		return fmt.Sprintf("%q is an absolute path; a spec reads only files inside its own folder, named relative to it", rel)
	}
	for _, step := range strings.FieldsFunc(rel, func(r rune) bool { return r == '/' || r == '\\' }) {
		if step == ".." {
			return fmt.Sprintf("%q climbs out with \"..\"; a spec reads only files inside its own folder", rel)
		}
	}
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return fmt.Sprintf("the spec's folder cannot be resolved: %v", pathError(err))
	}
	root, _ = filepath.Abs(root)
	// Resolve the longest part of the path that exists.
	target := filepath.Join(root, filepath.FromSlash(rel))
	existing, rest := target, ""
	for {
		if _, err := os.Lstat(existing); err == nil {
			break
		}
		parent := filepath.Dir(existing)
		if parent == existing {
			break
		}
		rest = filepath.Join(filepath.Base(existing), rest)
		existing = parent
	}
	resolved, err := filepath.EvalSymlinks(existing)
	if err != nil {
		// A dangling or looping symlink is refused: where it leads
		// cannot be checked.
		return fmt.Sprintf("%q cannot be resolved (%v); a symlink in a spec's folder must lead to a file inside it", rel, pathError(err))
	}
	resolved = filepath.Join(resolved, rest)
	for _, t := range systemTrees {
		if resolved == t || strings.HasPrefix(resolved, t+string(filepath.Separator)) {
			return fmt.Sprintf("%q leads into %s, which a spec never reads", rel, t)
		}
	}
	if resolved != root && !strings.HasPrefix(resolved, root+string(filepath.Separator)) {
		return fmt.Sprintf("%q is a symlink (or under one) that leads out of the spec's folder; a spec reads only files inside its own folder", rel)
	}
	return ""
}

// readInside reads rel, a regular file inside dir, of at most limit bytes.
// It opens the path it checked and reads at most limit+1 bytes, so a file
// that grows or a special file (a FIFO, a device) neither hangs nor floods.
func readInside(dir, rel string, limit int64) ([]byte, error) {
	if p := insideProblem(dir, rel); p != "" {
		return nil, errors.New(p)
	}
	path := filepath.Join(dir, filepath.FromSlash(rel))
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("no file %q in the spec's folder %s; paths given to file() are relative to that folder", rel, dir)
	case err != nil:
		return nil, fmt.Errorf("cannot read %q: %v", rel, pathError(err))
	case info.IsDir():
		return nil, fmt.Errorf("%q is a folder; file() reads one text file", rel)
	case !info.Mode().IsRegular():
		return nil, fmt.Errorf("%q is not a regular file; file() reads one text file", rel)
	case info.Size() > limit:
		return nil, fmt.Errorf("%q is %d bytes; file() reads files of at most %d bytes", rel, info.Size(), limit)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read %q: %v", rel, pathError(err))
	}
	defer f.Close()
	src, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read %q: %v", rel, pathError(err))
	}
	if int64(len(src)) > limit {
		return nil, fmt.Errorf("%q is larger than %d bytes", rel, limit)
	}
	return src, nil
}

// pathError drops the path from an *fs.PathError: messages name the path as
// the spec wrote it.
func pathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// checkSecretLocation reports a secret location AWS or the disk would
// refuse: its grammar and AWS's name limits, a file location leaving the
// spec's folder, and, when tagged (the location is also written as a tag
// value), the tag value limits.
func (l *loader) checkSecretLocation(rng hcl.Range, loc string, tagged bool) {
	p := secretLocationProblem(loc, l.spec.Region)
	if rest, isFile := strings.CutPrefix(loc, "file:"); p == "" && isFile {
		p = insideProblem(l.dir, rest)
	}
	if p == "" && tagged {
		if tp := tagValueProblem(loc); tp != "" {
			p = "mailform tags the resource with its secret location, and " + tp
		}
	}
	if p != "" {
		l.errorf(rng, "Invalid secret location", "%s: %s.", l.show(rng, loc), l.explain(rng, p))
		return
	}
	rest, isFile := strings.CutPrefix(loc, "file:")
	path := filepath.Join(l.dir, filepath.FromSlash(rest))
	if isFile && InGitWorkTree(filepath.Dir(path)) && len(gitIgnoreMissing(path)) > 0 {
		folder := filepath.ToSlash(filepath.Dir(filepath.Clean(rest)))
		l.warnf(rng, "Secret file in a git work tree", "This secret is written under a folder git tracks. Before writing it, apply lists it in %s/.gitignore, so that \"git add\" leaves it out (this warning then stops). A file already committed stays in git's history: for a spec shared through git, prefer an ssm: or secretsmanager: location.", folder)
	}
}

// specFileProblem explains why the entry name of the spec folder dir, which
// ends in .hcl, cannot be a spec file, or returns "": a folder named x.hcl
// is a mistake to report, not to skip, and a symlink must lead to a regular
// file inside the folder (one to /etc/passwd is never parsed nor echoed).
func specFileProblem(dir, name string) string {
	info, err := os.Lstat(filepath.Join(dir, name))
	if err != nil {
		return pathError(err).Error()
	}
	if info.Mode()&fs.ModeSymlink != 0 {
		if p := insideProblem(dir, name); p != "" {
			return p
		}
		if info, err = os.Stat(filepath.Join(dir, name)); err != nil {
			return pathError(err).Error()
		}
	}
	switch {
	case info.IsDir():
		return "a folder named like a spec file; mailform reads the *.hcl files of one folder and does not descend into folders. Rename it"
	case !info.Mode().IsRegular():
		return "not a regular file; a spec file is a text file"
	}
	return ""
}

// maxSpecFileSize bounds one spec file: a spec is text written by people,
// and the parser's work grows with the file.
const maxSpecFileSize = 1 << 20

// readSpecFile reads a spec file of at most maxSpecFileSize bytes.
func readSpecFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	src, err := io.ReadAll(io.LimitReader(f, maxSpecFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(src) > maxSpecFileSize {
		return nil, fmt.Errorf("%s is larger than %d bytes; a spec file is text written by people; split it into several files", path, maxSpecFileSize)
	}
	return src, nil
}

// InGitWorkTree reports whether dir, or the nearest folder above it that
// exists, lies in a git work tree: some folder from there up holds a .git
// folder or file. A secret file written there is kept out of git
// (docs/secrets.md).
func InGitWorkTree(dir string) bool {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return false
	}
	for {
		if _, err := os.Lstat(filepath.Join(dir, ".git")); err == nil {
			return true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return false
		}
		dir = parent
	}
}

// GitIgnoreLines are the lines of a .gitignore, in the folder of the secret
// file named base, that keep it and its temporary files out of git.
func GitIgnoreLines(base string) []string {
	return []string{"/" + base, "/." + base + ".tmp-*"}
}

// gitIgnoreMissing returns the GitIgnoreLines of path's file that the
// .gitignore of its folder lacks.
func gitIgnoreMissing(path string) []string {
	src, _ := os.ReadFile(filepath.Join(filepath.Dir(path), ".gitignore"))
	have := map[string]bool{}
	for _, line := range strings.Split(string(src), "\n") {
		have[strings.TrimSpace(line)] = true
	}
	var missing []string
	for _, w := range GitIgnoreLines(filepath.Base(path)) {
		if !have[w] {
			missing = append(missing, w)
		}
	}
	return missing
}

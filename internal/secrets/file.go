package secrets

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/smithy-go"

	"github.com/mailform/mailform/specs"
)

// fileStore keeps secrets in files under the spec's folder. Files carry no
// tags; they are written atomically (a temporary file in the same folder,
// fsync, rename, fsync of the folder) with mode 0600, and folders it creates
// are 0700.
type fileStore struct {
	dir string
}

func (f *fileStore) path(name string) string {
	return filepath.Join(f.dir, filepath.FromSlash(name))
}

func (f *fileStore) get(_ context.Context, name string) ([]byte, bool, error) {
	b, err := os.ReadFile(f.path(name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, pathless(err)
	}
	return b, true, nil
}

func (f *fileStore) put(_ context.Context, name string, value []byte, _ map[string]string) error {
	path := f.path(name)
	if err := ignoreInGit(path); err != nil {
		return err
	}
	return writeFileAtomic(path, value)
}

func (f *fileStore) delete(_ context.Context, name string) error {
	err := os.Remove(f.path(name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return pathless(err)
}

func (f *fileStore) tags(_ context.Context, name string) (map[string]string, bool, error) {
	_, err := os.Stat(f.path(name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, pathless(err)
	}
	return nil, true, nil
}

func (f *fileStore) addTags(context.Context, string, map[string]string) error { return nil }

// writeFileAtomic replaces path with value so that a reader sees either the
// old content or the new, never a part, and a crash leaves no half-written
// secret under the final name.
func writeFileAtomic(path string, value []byte) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return pathless(err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return pathless(err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(0o600); err != nil {
		return pathless(err)
	}
	if _, err := tmp.Write(value); err != nil {
		return pathless(err)
	}
	if err := tmp.Sync(); err != nil {
		return pathless(err)
	}
	if err := tmp.Close(); err != nil {
		return pathless(err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return pathless(err)
	}
	d, err := os.Open(dir)
	if err != nil {
		return pathless(err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("syncing the folder: %w", pathless(err))
	}
	return nil
}

// pathless drops the file path from an *fs.PathError: the caller names the
// location in the form the spec wrote it.
func pathless(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return &fileError{fmt.Errorf("%s: %w", pe.Op, pe.Err)}
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return &fileError{fmt.Errorf("%s: %w", le.Op, le.Err)}
	}
	return err
}

// ignoreInGit keeps a secret file out of git: when path lies in a git work
// tree, the .gitignore of its folder lists it (and its temporary files)
// before the secret is written, so that "git add ." never stages it. The
// folder is created (0700) if needed. Outside a work tree it does nothing.
func ignoreInGit(path string) error {
	dir := filepath.Dir(path)
	if !specs.InGitWorkTree(dir) {
		return nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return pathless(err)
	}
	base := filepath.Base(path)
	want := specs.GitIgnoreLines(base)
	ignore := filepath.Join(dir, ".gitignore")
	old, err := os.ReadFile(ignore)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("reading .gitignore beside the secret: %w", pathless(err))
	}
	have := map[string]bool{}
	for _, line := range strings.Split(string(old), "\n") {
		have[strings.TrimSpace(line)] = true
	}
	var add strings.Builder
	switch {
	case len(old) == 0:
		add.WriteString("# Secrets mailform writes here; never commit them.\n")
	case !strings.HasSuffix(string(old), "\n"):
		add.WriteString("\n")
	}
	missing := false
	for _, w := range want {
		if !have[w] {
			missing = true
			add.WriteString(w + "\n")
		}
	}
	if !missing {
		return nil
	}
	g, err := os.OpenFile(ignore, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("writing .gitignore beside the secret: %w", pathless(err))
	}
	if _, err := g.WriteString(add.String()); err != nil {
		g.Close()
		return fmt.Errorf("writing .gitignore beside the secret: %w", pathless(err))
	}
	if err := g.Close(); err != nil {
		return fmt.Errorf("writing .gitignore beside the secret: %w", pathless(err))
	}
	return nil
}

// fileError is an error of the file system at a file: location (a folder
// that is a file, a file without read permission): see Unreadable.
type fileError struct{ err error }

func (e *fileError) Error() string { return e.err.Error() }
func (e *fileError) Unwrap() error { return e.err }

// Unreadable reports whether err, from reading a secret, says that the
// location itself cannot be read (a file: path through a file or without
// permission, a secret whose reading AWS refuses), rather than that AWS could
// not be reached or the run was interrupted. Plan and destroy go on without
// such a secret and report it at its resource.
func Unreadable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var fe *fileError
	if errors.As(err, &fe) {
		return true
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "AccessDeniedException", "AccessDenied", "KMSAccessDeniedException", "DecryptionFailure":
			return true
		}
	}
	return false
}

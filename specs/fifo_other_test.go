//go:build !unix

package specs

import "errors"

// mkfifo fails: this platform has no named pipes in its file system.
func mkfifo(string) error { return errors.New("no named pipes on this platform") }

package secrets

import "context"

type progressKey struct{}

// WithProgress returns a context whose store calls report something slow
// under way (waiting for Secrets Manager to release a name) to f. The
// messages name locations, never values.
func WithProgress(ctx context.Context, f func(message string)) context.Context {
	return context.WithValue(ctx, progressKey{}, f)
}

func report(ctx context.Context, message string) {
	if f, ok := ctx.Value(progressKey{}).(func(string)); ok && f != nil {
		f(message)
	}
}

package devtemporal

import (
	"context"
	"log/slog"

	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/log/tag"
)

// muted is above every level the server logs at.
const muted = slog.LevelError + 1000

// slogAdapter lets the Temporal server log through kizdesk's slog.Logger.
// Records below min are dropped; min can change while the server runs.
type slogAdapter struct {
	l   *slog.Logger
	min *slog.LevelVar
}

var (
	_ log.Logger     = slogAdapter{}
	_ log.WithLogger = slogAdapter{}
)

func (a slogAdapter) Debug(msg string, tags ...tag.Tag) { a.log(slog.LevelDebug, msg, tags) }
func (a slogAdapter) Info(msg string, tags ...tag.Tag)  { a.log(slog.LevelInfo, msg, tags) }
func (a slogAdapter) Warn(msg string, tags ...tag.Tag)  { a.log(slog.LevelWarn, msg, tags) }
func (a slogAdapter) Error(msg string, tags ...tag.Tag) { a.log(slog.LevelError, msg, tags) }

// The server's own loggers panic or exit on these; inside kizdesk that must
// not take the whole process down, so they are plain errors here.
func (a slogAdapter) DPanic(msg string, tags ...tag.Tag) { a.log(slog.LevelError, msg, tags) }
func (a slogAdapter) Panic(msg string, tags ...tag.Tag)  { a.log(slog.LevelError, msg, tags) }
func (a slogAdapter) Fatal(msg string, tags ...tag.Tag)  { a.log(slog.LevelError, msg, tags) }

func (a slogAdapter) With(tags ...tag.Tag) log.Logger {
	args := make([]any, len(tags))
	for i, t := range tags {
		args[i] = slog.Any(t.Key(), t.Value())
	}
	return slogAdapter{l: a.l.With(args...), min: a.min}
}

func (a slogAdapter) log(level slog.Level, msg string, tags []tag.Tag) {
	if level < a.min.Level() || !a.l.Enabled(context.Background(), level) {
		return
	}
	attrs := make([]slog.Attr, len(tags))
	for i, t := range tags {
		attrs[i] = slog.Any(t.Key(), t.Value())
	}
	a.l.LogAttrs(context.Background(), level, msg, attrs...)
}

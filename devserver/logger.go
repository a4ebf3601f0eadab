package devserver

import (
	"context"
	"log/slog"

	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/log/tag"
)

// Levels of the server log filter. The Temporal server is very chatty at
// info level, and while shutting down it reports every interrupted poll and
// cancelled request as a warning or error, so Stop silences it entirely.
const (
	runningLogLevel  = slog.LevelWarn
	stoppingLogLevel = slog.LevelError + 100
)

// slogAdapter forwards Temporal server logs to a slog.Logger, dropping
// everything below the level in minLevel. It deliberately does not implement
// log.SLogWrapper, so slog-based code inside the server is filtered too.
type slogAdapter struct {
	logger   *slog.Logger
	minLevel *slog.LevelVar
}

// newSlogAdapter returns an adapter that forwards warnings and above.
func newSlogAdapter(logger *slog.Logger) slogAdapter {
	level := new(slog.LevelVar)
	level.Set(runningLogLevel)
	return slogAdapter{logger: logger, minLevel: level}
}

// silence drops all further server logs.
func (a slogAdapter) silence() {
	a.minLevel.Set(stoppingLogLevel)
}

var (
	_ log.Logger     = slogAdapter{}
	_ log.WithLogger = slogAdapter{}
)

// Debug logs the message at debug level; it is normally filtered out.
func (a slogAdapter) Debug(msg string, tags ...tag.Tag) { a.log(slog.LevelDebug, msg, tags) }

// Info logs the message at info level; it is normally filtered out.
func (a slogAdapter) Info(msg string, tags ...tag.Tag) { a.log(slog.LevelInfo, msg, tags) }

// Warn logs the message at warning level.
func (a slogAdapter) Warn(msg string, tags ...tag.Tag) { a.log(slog.LevelWarn, msg, tags) }

// Error logs the message at error level.
func (a slogAdapter) Error(msg string, tags ...tag.Tag) { a.log(slog.LevelError, msg, tags) }

// DPanic logs the message at error level without panicking.
func (a slogAdapter) DPanic(msg string, tags ...tag.Tag) { a.log(slog.LevelError, msg, tags) }

// Panic logs the message at error level without panicking.
func (a slogAdapter) Panic(msg string, tags ...tag.Tag) { a.log(slog.LevelError, msg, tags) }

// Fatal logs the message at error level without exiting the process.
func (a slogAdapter) Fatal(msg string, tags ...tag.Tag) { a.log(slog.LevelError, msg, tags) }

// With returns an adapter that adds the given tags to every record.
func (a slogAdapter) With(tags ...tag.Tag) log.Logger {
	attrs := tagsToAttrs(tags)
	args := make([]any, len(attrs))
	for i, attr := range attrs {
		args[i] = attr
	}
	return slogAdapter{logger: a.logger.With(args...), minLevel: a.minLevel}
}

func (a slogAdapter) log(level slog.Level, msg string, tags []tag.Tag) {
	ctx := context.Background()
	if level < a.minLevel.Level() || !a.logger.Enabled(ctx, level) {
		return
	}
	a.logger.LogAttrs(ctx, level, msg, tagsToAttrs(tags)...)
}

func tagsToAttrs(tags []tag.Tag) []slog.Attr {
	attrs := make([]slog.Attr, len(tags))
	for i, t := range tags {
		attrs[i] = slog.Any(t.Key(), t.Value())
	}
	return attrs
}

package connectors

import (
	"context"
	"fmt"
	"sync"
)

// Factory builds a connector from validated credentials. It must not do I/O
// beyond what is needed to be usable; failures to reach the server surface on
// the first call.
type Factory func(ctx context.Context, creds Credentials) (Connector, error)

var (
	registryMu sync.RWMutex
	registry   = map[string]Factory{}
)

// Register makes a connection type openable. Connector packages call it from init.
func Register(typ string, f Factory) {
	registryMu.Lock()
	defer registryMu.Unlock()
	if _, dup := registry[typ]; dup {
		panic("connectors: Register called twice for " + typ)
	}
	registry[typ] = f
}

// Open builds the connector for typ and returns it as capability T, with the
// function that closes it. It fails if the type is unknown, has no
// implementation yet, or does not have capability T.
func Open[T any](ctx context.Context, typ string, creds Credentials) (T, func(context.Context) error, error) {
	var zero T
	if _, ok := Lookup(typ); !ok {
		return zero, nil, fmt.Errorf("open %s: %w", typ, ErrUnsupportedType)
	}
	registryMu.RLock()
	factory, ok := registry[typ]
	registryMu.RUnlock()
	if !ok {
		return zero, nil, fmt.Errorf("open %s: %w", typ, ErrNotImplemented)
	}
	conn, err := factory(ctx, creds)
	if err != nil {
		return zero, nil, fmt.Errorf("open %s: %w", typ, err)
	}
	capability, ok := conn.(T)
	if !ok {
		_ = conn.Close(ctx)
		return zero, nil, fmt.Errorf("open %s: connector does not support %T: %w", typ, (*T)(nil), ErrNotImplemented)
	}
	return capability, conn.Close, nil
}

package sqlcols

import (
	"reflect"
	"strings"
	"sync"

	pg "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// The decoder sets most fields straight in the generated Go structs, found
// once per type by their protobuf tags: protoreflect's setters allocate for
// nearly every value (a boxed scalar, a list wrapper, a slice grown one
// element at a time), and in a busy process each allocation also pays for
// garbage collection. Oneof members (A_Const's value) and the rare kinds
// go through protoreflect.

// goField is one field of a parse-tree message.
type goField struct {
	fd protoreflect.FieldDescriptor
	// index is the Go struct field's, or -1 to set it through protoreflect.
	index int
}

// messageFields are a message's fields by JSON and proto name.
type messageFields map[string]goField

var fieldsByGoType sync.Map // reflect.Type of the struct -> messageFields

func goFieldsOf(t reflect.Type, md protoreflect.MessageDescriptor) messageFields {
	if f, ok := fieldsByGoType.Load(t); ok {
		return f.(messageFields)
	}
	byName := map[string]int{}
	for i := 0; i < t.NumField(); i++ {
		for _, part := range strings.Split(t.Field(i).Tag.Get("protobuf"), ",") {
			if name, ok := strings.CutPrefix(part, "name="); ok {
				byName[name] = i
			}
		}
	}
	fields := md.Fields()
	out := make(messageFields, 2*fields.Len())
	for i := 0; i < fields.Len(); i++ {
		fd := fields.Get(i)
		f := goField{fd: fd, index: -1}
		if idx, ok := byName[string(fd.Name())]; ok && fd.ContainingOneof() == nil && settableDirectly(fd) {
			f.index = idx
		}
		out[fd.JSONName()] = f
		out[string(fd.Name())] = f
	}
	fieldsByGoType.Store(t, out)
	return out
}

// settableDirectly says setGo handles fd's kind.
func settableDirectly(fd protoreflect.FieldDescriptor) bool {
	switch fd.Kind() {
	case protoreflect.MessageKind:
		return !fd.IsMap()
	case protoreflect.StringKind, protoreflect.BoolKind, protoreflect.EnumKind,
		protoreflect.Int32Kind, protoreflect.Int64Kind, protoreflect.Uint32Kind, protoreflect.Uint64Kind:
		return !fd.IsList()
	}
	return false
}

// setGo reads a value into the Go struct field v.
func (d *pgJSONDecoder) setGo(v reflect.Value, fd protoreflect.FieldDescriptor) error {
	switch {
	case fd.IsList():
		return d.listGo(v, fd)
	case fd.Kind() == protoreflect.MessageKind:
		item, err := d.messageGo(v.Type(), fd)
		if err == nil {
			v.Set(item)
		}
		return err
	}
	sv, err := d.scalar(fd)
	if err != nil {
		return err
	}
	switch fd.Kind() {
	case protoreflect.StringKind:
		v.SetString(sv.String())
	case protoreflect.BoolKind:
		v.SetBool(sv.Bool())
	case protoreflect.EnumKind:
		v.SetInt(int64(sv.Enum()))
	case protoreflect.Uint32Kind, protoreflect.Uint64Kind:
		v.SetUint(sv.Uint())
	default:
		v.SetInt(sv.Int())
	}
	return nil
}

// messageGo reads a message of pointer type ptr: a Node directly, others
// through reflection.
func (d *pgJSONDecoder) messageGo(ptr reflect.Type, fd protoreflect.FieldDescriptor) (reflect.Value, error) {
	if fd.Message() == nodeDescriptor {
		n := &pg.Node{}
		return reflect.ValueOf(n), d.node(n)
	}
	item := reflect.New(ptr.Elem())
	return item, d.message(item.Interface().(proto.Message).ProtoReflect())
}

// listGo reads an array of messages into the slice field v, allocated once
// at its length.
func (d *pgJSONDecoder) listGo(v reflect.Value, fd protoreflect.FieldDescriptor) error {
	if err := d.expect('['); err != nil {
		return err
	}
	var first [8]reflect.Value
	items := first[:0]
	if d.peek() == ']' {
		d.pos++
		return nil
	}
	for {
		item, err := d.messageGo(v.Type().Elem(), fd)
		if err != nil {
			return err
		}
		items = append(items, item)
		switch d.next() {
		case ',':
			continue
		case ']':
			list := reflect.MakeSlice(v.Type(), len(items), len(items))
			for i, item := range items {
				list.Index(i).Set(item)
			}
			v.Set(list)
			return nil
		default:
			return d.fail("expected , or ]")
		}
	}
}

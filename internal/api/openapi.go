package api

import (
	"encoding"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/importer"
	"github.com/preventplatform/prevent/internal/notify"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
)

// operation documents one route for the OpenAPI document.
type operation struct {
	id      string
	summary string
	// request is a value of the request body's type, nil when the route takes no body.
	request any
	// response is a value of the success body's type, nil when the success response has no body.
	response any
	// status is the success status: 200 when zero.
	status int
	query  []param
	// pathSchemas gives the schema of a path parameter that is not a record id (an integer).
	pathSchemas map[string]map[string]any
	// requestMedia and responseMedia name a body that is a file, not JSON (for example application/zip); a
	// responseMedia of */* is a file of the media type it was stored with.
	requestMedia, responseMedia string
}

// param is a query parameter.
type param struct {
	name        string
	description string
	schema      map[string]any
}

// OpenAPIDocument is the OpenAPI 3.1 document, as served.
type OpenAPIDocument map[string]any

var pathParam = regexp.MustCompile(`\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// PathParams returns the {names} in a route pattern, in order.
func PathParams(pattern string) []string {
	var out []string
	for _, m := range pathParam.FindAllStringSubmatch(pattern, -1) {
		out = append(out, m[1])
	}
	return out
}

func (s *Server) openapi(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(s.doc)
	return nil
}

// buildDocument writes the OpenAPI 3.1 document for the route table.
func (s *Server) buildDocument() []byte {
	g := &schemaGen{defs: map[string]any{}, inputs: map[reflect.Type]bool{}}
	for _, rt := range s.routes {
		if rt.op.request != nil {
			g.inputs[reflect.TypeOf(rt.op.request)] = true
		}
	}
	problem := g.schema(reflect.TypeOf(Problem{}), "")
	problemResponse := func(desc string) map[string]any {
		return map[string]any{"description": desc, "content": map[string]any{"application/problem+json": map[string]any{"schema": problem}}}
	}
	paths := map[string]any{}
	for _, rt := range s.routes {
		item, _ := paths[rt.Pattern].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[rt.Pattern] = item
		}
		op := map[string]any{"operationId": rt.op.id, "summary": rt.op.summary,
			"x-access-action": string(rt.Action)}
		var params []any
		for _, name := range PathParams(rt.Pattern) {
			schema := rt.op.pathSchemas[name]
			if schema == nil {
				schema = map[string]any{"type": "integer", "format": "int64", "minimum": 1}
			}
			params = append(params, map[string]any{"name": name, "in": "path", "required": true, "schema": schema})
		}
		for _, q := range rt.op.query {
			params = append(params, map[string]any{"name": q.name, "in": "query", "required": false,
				"description": q.description, "schema": q.schema})
		}
		if rt.Method == http.MethodPost && rt.Action != access.Public {
			params = append(params, idempotencyParameter)
		}
		if len(params) > 0 {
			op["parameters"] = params
		}
		if rt.op.request != nil {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
				"application/json": map[string]any{"schema": g.schema(reflect.TypeOf(rt.op.request), "")}}}
		}
		if m := rt.op.requestMedia; m != "" {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
				m: map[string]any{"schema": map[string]any{"type": "string", "contentMediaType": m}}}}
		}
		status := rt.op.status
		if status == 0 {
			status = http.StatusOK
		}
		ok := map[string]any{"description": http.StatusText(status)}
		if rt.op.response != nil {
			ok["content"] = map[string]any{"application/json": map[string]any{"schema": g.schema(reflect.TypeOf(rt.op.response), "")}}
		}
		if m := rt.op.responseMedia; m != "" {
			schema := map[string]any{"type": "string"}
			if !strings.Contains(m, "*") {
				schema["contentMediaType"] = m
			}
			ok["content"] = map[string]any{m: map[string]any{"schema": schema}}
		}
		responses := map[string]any{fmt.Sprint(status): ok}
		if rt.Action == access.Public {
			op["security"] = []any{}
		} else {
			responses["401"] = problemResponse("No valid bearer token was sent")
			responses["404"] = problemResponse("Not found, or not permitted for the token's owner")
		}
		if rt.op.request != nil {
			responses["400"] = problemResponse("The body is not well-formed JSON of the right shape")
			responses["413"] = problemResponse("The body is larger than 1 MiB")
			responses["415"] = problemResponse("The body is not application/json")
		}
		if rt.op.requestMedia != "" {
			responses["413"] = problemResponse("The body is too large")
			responses["415"] = problemResponse("The body is not " + rt.op.requestMedia)
		}
		if rt.op.request != nil || rt.op.requestMedia != "" || len(rt.op.query) > 0 || len(rt.op.pathSchemas) > 0 {
			responses["422"] = problemResponse("Validation failed; errors lists the members")
		}
		if rt.Method == http.MethodPost && rt.Action != access.Public {
			responses["409"] = problemResponse("A request with the same Idempotency-Key is still running; retry after Retry-After")
			responses["422"] = problemResponse("Validation failed, or the Idempotency-Key was used for a different request; errors lists the members")
		}
		responses["default"] = problemResponse("An unexpected failure")
		op["responses"] = responses
		item[strings.ToLower(rt.Method)] = op
	}
	doc := OpenAPIDocument{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":   "Prevent partnership platform API",
			"version": "1",
			"description": "The JSON API of the Prevent partnership platform. Authenticate with an API token: " +
				"Authorization: Bearer <token>. Records a token's owner may not see answer 404. Errors are RFC 9457 " +
				"problem details. Reads of personal data and every change are audited.",
		},
		"security": []any{map[string]any{"bearer": []any{}}},
		"paths":    paths,
		"components": map[string]any{
			"schemas": g.defs,
			"securitySchemes": map[string]any{
				"bearer": map[string]any{"type": "http", "scheme": "bearer",
					"description": "An API token created on the account page or with `prevent tokens create`"},
			},
		},
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		// The document is built from literals and types fixed at compile time.
		panic(fmt.Sprintf("api: openapi document: %v", err))
	}
	return b
}

// schemaGen derives JSON Schemas (2020-12, as OpenAPI 3.1 uses) from the body types, so that the
// document cannot drift from what the handlers encode and decode.
type schemaGen struct {
	defs   map[string]any
	inputs map[reflect.Type]bool
}

var (
	timeType = reflect.TypeOf(time.Time{})
	dateType = reflect.TypeOf(Date{})
	roleType = reflect.TypeOf(prevent.Role(""))
)

// enums are the closed vocabularies named by a field's `enum` tag.
func enumValues(name string) []any {
	var out []any
	switch name {
	case "roles":
		for _, r := range prevent.Roles {
			out = append(out, string(r))
		}
	case "sectors":
		for _, s := range partnership.Sectors {
			out = append(out, string(s.Sector))
		}
	case "vetting":
		for _, v := range prevent.VettingLevels {
			out = append(out, v.Code())
		}
	case "email-preferences":
		for _, f := range notify.Frequencies {
			out = append(out, string(f.Value))
		}
	case "notification-stages":
		for _, st := range notify.Stages {
			out = append(out, string(st))
		}
	case "import-statuses":
		for _, st := range importer.Statuses {
			out = append(out, st)
		}
	}
	return out
}

var (
	jsonMarshaler = reflect.TypeOf((*json.Marshaler)(nil)).Elem()
	textMarshaler = reflect.TypeOf((*encoding.TextMarshaler)(nil)).Elem()
)

func (g *schemaGen) schema(t reflect.Type, enum string) map[string]any {
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t == dateType:
		return map[string]any{"type": "string", "format": "date"}
	case t == roleType:
		return map[string]any{"type": "string", "enum": enumValues("roles")}
	case t.Kind() != reflect.Pointer && (t.Implements(jsonMarshaler) || reflect.PointerTo(t).Implements(jsonMarshaler)):
		// A type that writes itself: its JSON is what its zero value writes, not what its kind suggests.
		return marshaledSchema(t)
	case t.Kind() != reflect.Pointer && (t.Implements(textMarshaler) || reflect.PointerTo(t).Implements(textMarshaler)):
		return map[string]any{"type": "string"}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return nullable(g.schema(t.Elem(), enum))
	case reflect.String:
		s := map[string]any{"type": "string"}
		if enum != "" {
			s["enum"] = enumValues(enum)
		}
		return s
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer", "format": "int64"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return map[string]any{"type": "string", "contentEncoding": "base64"}
		}
		return map[string]any{"type": "array", "items": g.schema(t.Elem(), enum)}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.schema(t.Elem(), enum)}
	case reflect.Interface:
		return map[string]any{}
	case reflect.Struct:
		name := t.Name()
		if _, done := g.defs[name]; !done {
			g.defs[name] = map[string]any{} // placeholder against recursion
			g.defs[name] = g.object(t)
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	}
	panic(fmt.Sprintf("api: openapi: no schema for %s", t))
}

// nullable is schema, or null.
func nullable(schema map[string]any) map[string]any {
	if typ, ok := schema["type"].(string); ok {
		schema["type"] = []any{typ, "null"}
		if e, ok := schema["enum"].([]any); ok {
			schema["enum"] = append(e, nil)
		}
		return schema
	}
	return map[string]any{"anyOf": []any{schema, map[string]any{"type": "null"}}}
}

// marshaledSchema is the schema of a type that marshals itself, read from the JSON its zero value writes.
func marshaledSchema(t reflect.Type) map[string]any {
	b, err := json.Marshal(reflect.Zero(t).Interface())
	if err != nil || len(b) == 0 {
		panic(fmt.Sprintf("api: openapi: %s does not marshal its zero value: %v", t, err))
	}
	switch b[0] {
	case '"':
		return map[string]any{"type": "string"}
	case 't', 'f':
		return map[string]any{"type": "boolean"}
	case '[':
		return map[string]any{"type": "array"}
	case '{':
		return map[string]any{"type": "object"}
	case 'n':
		return map[string]any{}
	}
	return map[string]any{"type": "number"}
}

// object describes a struct. Every member of a response is present (absent values are null) unless its
// tag says omitempty or omitzero; request members are checked by the service, which names the missing ones
// in a 422. A pointer is nullable; so is a slice or map whose field is tagged openapi:"nullable" (one that
// is nil on purpose, written as null); any other slice must be written as an array, never null.
func (g *schemaGen) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []any
	g.fields(t, t, props, &required)
	o := map[string]any{"type": "object", "properties": props}
	if g.inputs[t] {
		o["additionalProperties"] = false
	}
	if len(required) > 0 {
		o["required"] = required
	}
	return o
}

// fields adds the members of struct t to props, as encoding/json writes them: the fields of an embedded
// struct without a name of its own are promoted into the outer object.
func (g *schemaGen) fields(outer, t reflect.Type, props map[string]any, required *[]any) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" && opts == "" {
			continue
		}
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				g.fields(outer, ft, props, required)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		optional, quoted := false, false
		for _, o := range strings.Split(opts, ",") {
			switch o {
			case "omitempty", "omitzero":
				optional = true
			case "string":
				quoted = true
			}
		}
		schema := g.schema(f.Type, f.Tag.Get("enum"))
		if quoted {
			schema = map[string]any{"type": "string"}
		}
		if f.Tag.Get("openapi") == "nullable" {
			// A slice or map left nil on purpose, written as null.
			schema = nullable(schema)
		}
		props[name] = schema
		if !g.inputs[outer] && !optional {
			*required = append(*required, name)
		}
	}
}

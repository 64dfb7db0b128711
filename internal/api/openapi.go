package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/access"
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
	// requestMedia and responseMedia name a body that is a file, not JSON (for example application/zip).
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
			ok["content"] = map[string]any{m: map[string]any{"schema": map[string]any{"type": "string", "contentMediaType": m}}}
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
	}
	return out
}

func (g *schemaGen) schema(t reflect.Type, enum string) map[string]any {
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t == dateType:
		return map[string]any{"type": "string", "format": "date"}
	case t == roleType:
		return map[string]any{"type": "string", "enum": enumValues("roles")}
	}
	switch t.Kind() {
	case reflect.Pointer:
		inner := g.schema(t.Elem(), enum)
		if typ, ok := inner["type"].(string); ok {
			inner["type"] = []any{typ, "null"}
			if e, ok := inner["enum"].([]any); ok {
				inner["enum"] = append(e, nil)
			}
			return inner
		}
		return map[string]any{"anyOf": []any{inner, map[string]any{"type": "null"}}}
	case reflect.String:
		s := map[string]any{"type": "string"}
		if enum != "" {
			s["enum"] = enumValues(enum)
		}
		return s
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int32, reflect.Int64:
		return map[string]any{"type": "integer", "format": "int64"}
	case reflect.Slice:
		return map[string]any{"type": "array", "items": g.schema(t.Elem(), enum)}
	case reflect.Map:
		return map[string]any{"type": "object"}
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

// object describes a struct. Every member of a response is always present (absent values are null);
// request members are checked by the service, which names the missing ones in a 422.
func (g *schemaGen) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []any
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		props[name] = g.schema(f.Type, f.Tag.Get("enum"))
		if !g.inputs[t] && !strings.Contains(opts, "omitempty") {
			required = append(required, name)
		}
	}
	o := map[string]any{"type": "object", "properties": props}
	if g.inputs[t] {
		o["additionalProperties"] = false
	}
	if len(required) > 0 {
		o["required"] = required
	}
	return o
}

// Package apitest checks, in tests, that the API answers as its OpenAPI document says: every test request
// helper that calls the API hands each answer to Check (or CheckRecorder), which finds the operation the
// route table routes the request to, the response documented for the status (or the default), and checks
// the media type and the body against that response's schema, formats asserted.
package apitest

import (
	"bytes"
	"fmt"
	"mime"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/preventplatform/prevent/internal/api"
)

// Served is the OpenAPI document as GET /api/v1/openapi.json serves it.
func Served() ([]byte, error) {
	mux := http.NewServeMux()
	api.New(api.Deps{}).Register(mux)
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, api.Prefix+"/openapi.json", nil))
	if rec.Code != http.StatusOK {
		return nil, fmt.Errorf("GET openapi.json = %d: %s", rec.Code, rec.Body)
	}
	return rec.Body.Bytes(), nil
}

// contract is the served document, ready to check answers against: a mux of the route table to find the
// operation a request reached, and the response schemas, each compiled once per test process.
type contract struct {
	err    error
	doc    map[string]any
	routes *http.ServeMux

	mu       sync.Mutex
	compiler *jsonschema.Compiler
	schemas  map[string]*jsonschema.Schema
}

const documentURL = "https://api.prevent.example/api/v1/openapi.json"

var (
	theContract = sync.OnceValue(load)
	checked     atomic.Int64
	checkedBy   sync.Map // testing.TB → *atomic.Int64
)

// Checked is how many answers this test process has checked.
func Checked() int64 { return checked.Load() }

func load() *contract {
	k := &contract{routes: http.NewServeMux(), schemas: map[string]*jsonschema.Schema{}}
	raw, err := Served()
	if err != nil {
		k.err = err
		return k
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		k.err = fmt.Errorf("openapi.json: %w", err)
		return k
	}
	k.doc = doc.(map[string]any)
	k.compiler = jsonschema.NewCompiler()
	k.compiler.AssertFormat()
	if err := k.compiler.AddResource(documentURL, doc); err != nil {
		k.err = err
		return k
	}
	noop := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	for _, rt := range api.New(api.Deps{}).Routes() {
		k.routes.Handle(rt.Method+" "+rt.Pattern, noop)
	}
	k.routes.Handle(api.Prefix+"/", noop)
	return k
}

// pointerEscape escapes a JSON Pointer reference token (RFC 6901) for use in a URI fragment.
func pointerEscape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// Schema compiles (once) the schema of one documented response: the operation's path as the document
// writes it, its method in lower case, the status key ("200", "default") and the media type. An empty path
// means the catch-all under the prefix, which answers only problems.
func Schema(path, method, status, media string) (*jsonschema.Schema, error) {
	k := theContract()
	if k.err != nil {
		return nil, k.err
	}
	loc := documentURL + "#/components/schemas/Problem"
	if path != "" {
		loc = documentURL + "#/paths/" + pointerEscape(path) + "/" + method + "/responses/" + status +
			"/content/" + pointerEscape(media) + "/schema"
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if s, ok := k.schemas[loc]; ok {
		return s, nil
	}
	s, err := k.compiler.Compile(loc)
	if err != nil {
		return nil, err
	}
	k.schemas[loc] = s
	return s, nil
}

// count counts one checked answer, for the process and for t; t logs its count when it ends.
func count(t testing.TB) {
	checked.Add(1)
	n, loaded := checkedBy.LoadOrStore(t, new(atomic.Int64))
	if !loaded {
		t.Cleanup(func() {
			t.Logf("%d API responses checked against the OpenAPI document", n.(*atomic.Int64).Load())
			checkedBy.Delete(t)
		})
	}
	n.(*atomic.Int64).Add(1)
}

// CheckRecorder checks the answer rec that the API gave to r.
func CheckRecorder(t testing.TB, r *http.Request, rec *httptest.ResponseRecorder) {
	t.Helper()
	Check(t, r, rec.Code, rec.Header(), rec.Body.Bytes())
}

// Check checks one answer the API gave to r against the OpenAPI document: the operation the route table
// routes r to, the response documented for the status (or the default), the media type, and the body
// against the media type's schema. A mismatch is a t.Errorf naming the operation and what the validator
// found. A request outside the API's prefix is not checked.
func Check(t testing.TB, r *http.Request, status int, header http.Header, body []byte) {
	t.Helper()
	k := theContract()
	if k.err != nil {
		t.Errorf("OpenAPI document: %v", k.err)
		return
	}
	_, pattern := k.routes.Handler(r)
	if pattern == "" {
		return // not under the API's prefix: nothing the document describes
	}
	mediaType, _, _ := mime.ParseMediaType(header.Get("Content-Type"))
	var (
		name, path, method, key string
		content                 map[string]any
	)
	if m, p, ok := strings.Cut(pattern, " "); ok {
		method, path = strings.ToLower(m), p
		op := k.doc["paths"].(map[string]any)[path].(map[string]any)[method].(map[string]any)
		name = fmt.Sprintf("%s (%s %s)", op["operationId"], m, p)
		responses := op["responses"].(map[string]any)
		key = fmt.Sprint(status)
		if responses[key] == nil {
			key = "default"
		}
		content, _ = responses[key].(map[string]any)["content"].(map[string]any)
	} else {
		name = "unknown path under " + api.Prefix
		content = map[string]any{"application/problem+json": nil}
	}
	count(t)
	if len(content) == 0 {
		if len(body) > 0 {
			t.Errorf("%s answered %d with a %q body; the document says it has none", name, status, mediaType)
		}
		return
	}
	documented := mediaType
	for _, m := range []string{mediaType, strings.Split(mediaType, "/")[0] + "/*", "*/*"} {
		if _, ok := content[m]; ok {
			documented = m
			break
		}
	}
	if _, ok := content[documented]; !ok {
		var media []string
		for m := range content {
			media = append(media, m)
		}
		sort.Strings(media)
		t.Errorf("%s answered %d as %q; the document says %v", name, status, mediaType, media)
		return
	}
	if documented != "application/json" && !strings.HasSuffix(documented, "+json") {
		return // a file (zip, CSV): its schema says only that it is a string of that media type
	}
	sch, err := Schema(path, method, key, documented)
	if err != nil {
		t.Errorf("%s answered %d: compile the response schema: %v", name, status, err)
		return
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		t.Errorf("%s answered %d with a body that is not JSON: %v", name, status, err)
		return
	}
	if err := sch.Validate(v); err != nil {
		t.Errorf("%s answered %d with a body that does not match the OpenAPI document:\n%v\nbody: %.500s", name, status, err, body)
	}
}

package api_test

import (
	"bytes"
	"fmt"
	"mime"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/preventplatform/prevent/internal/api"
)

// The OpenAPI Initiative's published 3.1 schemas (testdata/README.md), registered by their $id so that
// nothing is fetched. schema-base extends schema with the OpenAPI dialect of JSON Schema 2020-12, so that
// it checks every Schema Object in the document as a 2020-12 schema too; the 2020-12 meta-schemas are
// bundled with the validator.
var oasSchemas = map[string]string{
	"openapi-3.1-schema.json":       "https://spec.openapis.org/oas/3.1/schema/2022-10-07",
	"openapi-3.1-schema-base.json":  "https://spec.openapis.org/oas/3.1/schema-base/2022-10-07",
	"openapi-3.1-dialect-base.json": "https://spec.openapis.org/oas/3.1/dialect/base",
	"openapi-3.1-meta-base.json":    "https://spec.openapis.org/oas/3.1/meta/base",
}

const oasSchemaBase = "https://spec.openapis.org/oas/3.1/schema-base/2022-10-07"

// servedDocument is the OpenAPI document as GET /api/v1/openapi.json serves it.
func servedDocument() ([]byte, error) {
	mux := http.NewServeMux()
	api.New(api.Deps{}).Register(mux)
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, api.Prefix+"/openapi.json", nil))
	if rec.Code != http.StatusOK {
		return nil, fmt.Errorf("GET openapi.json = %d: %s", rec.Code, rec.Body)
	}
	return rec.Body.Bytes(), nil
}

// oasValidator compiles the OpenAPI 3.1 meta-schema (the schema-base variant) from testdata.
func oasValidator(t *testing.T) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	for file, id := range oasSchemas {
		f, err := os.Open(filepath.Join("testdata", file))
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(f)
		_ = f.Close()
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if err := c.AddResource(id, doc); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
	}
	sch, err := c.Compile(oasSchemaBase)
	if err != nil {
		t.Fatalf("compile the OpenAPI 3.1 meta-schema: %v", err)
	}
	return sch
}

func TestOpenAPIDocumentValidatesAsOpenAPI31(t *testing.T) {
	t.Parallel()
	sch := oasValidator(t)
	raw, err := servedDocument()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("document is not JSON: %v", err)
	}
	if err := sch.Validate(doc); err != nil {
		t.Errorf("the API's OpenAPI document is not valid OpenAPI 3.1:\n%v", err)
	}

	// The validator is not vacuous: it refuses a document whose component schema is not a 2020-12 schema,
	// and one whose operation has no responses.
	for name, spoil := range map[string]func(d map[string]any){
		"component schema of an unknown type": func(d map[string]any) {
			d["components"].(map[string]any)["schemas"].(map[string]any)["Problem"] = map[string]any{"type": "strnig"}
		},
		"operation without responses": func(d map[string]any) {
			for _, item := range d["paths"].(map[string]any) {
				for _, op := range item.(map[string]any) {
					op.(map[string]any)["responses"] = map[string]any{}
				}
				break
			}
		},
	} {
		bad, _ := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		spoil(bad.(map[string]any))
		if err := sch.Validate(bad); err == nil {
			t.Errorf("a document with a %s validates", name)
		}
	}

	// Every response schema compiles on its own, with its $refs resolved within the document.
	k := apiContract()
	if k.err != nil {
		t.Fatal(k.err)
	}
	n := 0
	for path, item := range k.doc["paths"].(map[string]any) {
		for method, op := range item.(map[string]any) {
			for status, resp := range op.(map[string]any)["responses"].(map[string]any) {
				content, _ := resp.(map[string]any)["content"].(map[string]any)
				for media := range content {
					if _, err := k.schema(path, method, status, media); err != nil {
						t.Errorf("%s %s %s %s: %v", method, path, status, media, err)
					}
					n++
				}
			}
		}
	}
	t.Logf("%d response schemas compiled", n)
}

// contract is the served OpenAPI document, ready to check responses against: a mux of the route table to
// find the operation a request reached, and the response schemas, each compiled once per test process.
type contract struct {
	err    error
	doc    map[string]any
	routes *http.ServeMux

	mu       sync.Mutex
	compiler *jsonschema.Compiler
	schemas  map[string]*jsonschema.Schema
}

const contractURL = "https://api.prevent.example/api/v1/openapi.json"

var (
	apiContract = sync.OnceValue(loadContract)
	// checkedResponses counts the responses checked against the document in this test process.
	checkedResponses atomic.Int64
)

// checkedBy counts the responses checked in each test, logged when the test ends.
var checkedBy sync.Map // testing.TB → *atomic.Int64

func countChecked(t testing.TB) {
	checkedResponses.Add(1)
	n, loaded := checkedBy.LoadOrStore(t, new(atomic.Int64))
	if !loaded {
		t.Cleanup(func() {
			t.Logf("%d API responses checked against the OpenAPI document", n.(*atomic.Int64).Load())
			checkedBy.Delete(t)
		})
	}
	n.(*atomic.Int64).Add(1)
}

// TestMain reports how many responses the package's tests checked against the OpenAPI document.
func TestMain(m *testing.M) {
	code := m.Run()
	if testing.Verbose() {
		fmt.Printf("api: %d API responses checked against the OpenAPI document\n", checkedResponses.Load())
	}
	os.Exit(code)
}

func loadContract() *contract {
	k := &contract{routes: http.NewServeMux(), schemas: map[string]*jsonschema.Schema{}}
	raw, err := servedDocument()
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
	if err := k.compiler.AddResource(contractURL, doc); err != nil {
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

// schema compiles (once) the schema of one response of one operation. An empty path means the catch-all
// under the prefix, which answers only problems.
func (k *contract) schema(path, method, status, media string) (*jsonschema.Schema, error) {
	loc := contractURL + "#/components/schemas/Problem"
	if path != "" {
		loc = contractURL + "#/paths/" + pointerEscape(path) + "/" + method + "/responses/" + status +
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

// checkResponse checks one response the API gave to r against the OpenAPI document: the operation the
// route table routes r to, the response documented for the status (or the default), the media type, and
// the body against the media type's schema. Every test request helper calls it after serving.
func checkResponse(t testing.TB, r *http.Request, rec *httptest.ResponseRecorder) {
	t.Helper()
	k := apiContract()
	if k.err != nil {
		t.Errorf("OpenAPI document: %v", k.err)
		return
	}
	_, pattern := k.routes.Handler(r)
	if pattern == "" {
		return // not under the API's prefix: nothing the document describes
	}
	mediaType, _, _ := mime.ParseMediaType(rec.Header().Get("Content-Type"))
	var (
		name, path, method, status string
		content                    map[string]any
	)
	if m, p, ok := strings.Cut(pattern, " "); ok {
		method, path = strings.ToLower(m), p
		op := k.doc["paths"].(map[string]any)[path].(map[string]any)[method].(map[string]any)
		name = fmt.Sprintf("%s (%s %s)", op["operationId"], m, p)
		responses := op["responses"].(map[string]any)
		status = fmt.Sprint(rec.Code)
		if responses[status] == nil {
			status = "default"
		}
		resp := responses[status].(map[string]any)
		content, _ = resp["content"].(map[string]any)
	} else {
		name = "unknown path under " + api.Prefix
		content = map[string]any{"application/problem+json": nil}
	}
	countChecked(t)
	if len(content) == 0 {
		if rec.Body.Len() > 0 {
			t.Errorf("%s answered %d with a %q body; the document says it has none", name, rec.Code, mediaType)
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
		t.Errorf("%s answered %d as %q; the document says %v", name, rec.Code, mediaType, media)
		return
	}
	if documented != "application/json" && !strings.HasSuffix(documented, "+json") {
		return // a file (zip, CSV): its schema says only that it is a string of that media type
	}
	sch, err := k.schema(path, method, status, documented)
	if err != nil {
		t.Errorf("%s answered %d: compile the response schema: %v", name, rec.Code, err)
		return
	}
	body, err := jsonschema.UnmarshalJSON(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Errorf("%s answered %d with a body that is not JSON: %v", name, rec.Code, err)
		return
	}
	if err := sch.Validate(body); err != nil {
		t.Errorf("%s answered %d with a body that does not match the OpenAPI document:\n%v\nbody: %.500s", name, rec.Code, err, rec.Body)
	}
}

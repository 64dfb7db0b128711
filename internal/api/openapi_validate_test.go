package api_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/preventplatform/prevent/internal/api/apitest"
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

// parsed is the document, parsed afresh.
func parsed(raw []byte) map[string]any {
	v, _ := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	return v.(map[string]any)
}

func TestOpenAPIDocumentValidatesAsOpenAPI31(t *testing.T) {
	t.Parallel()
	sch := oasValidator(t)
	raw, err := apitest.Served()
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
	n := 0
	for path, item := range parsed(raw)["paths"].(map[string]any) {
		for method, op := range item.(map[string]any) {
			for status, resp := range op.(map[string]any)["responses"].(map[string]any) {
				content, _ := resp.(map[string]any)["content"].(map[string]any)
				for media := range content {
					if _, err := apitest.Schema(path, method, status, media); err != nil {
						t.Errorf("%s %s %s %s: %v", method, path, status, media, err)
					}
					n++
				}
			}
		}
	}
	t.Logf("%d response schemas compiled", n)
}

// checkResponse checks the answer rec the API gave to r against the OpenAPI document (package apitest).
// Every request helper of these tests calls it after serving.
func checkResponse(t testing.TB, r *http.Request, rec *httptest.ResponseRecorder) {
	t.Helper()
	apitest.CheckRecorder(t, r, rec)
}

// TestMain reports how many responses the package's tests checked against the OpenAPI document.
func TestMain(m *testing.M) {
	code := m.Run()
	if testing.Verbose() {
		fmt.Printf("api: %d API responses checked against the OpenAPI document\n", apitest.Checked())
	}
	os.Exit(code)
}

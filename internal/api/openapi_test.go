package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/preventplatform/prevent/internal/access"
)

func TestOpenAPIDocumentMatchesRoutes(t *testing.T) {
	t.Parallel()
	s := New(Deps{})
	mux := http.NewServeMux()
	s.Register(mux)
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/openapi.json", nil))
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		t.Fatalf("GET openapi.json = %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	var doc struct {
		OpenAPI    string                                `json:"openapi"`
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Schemas         map[string]json.RawMessage `json:"schemas"`
			SecuritySchemes map[string]struct {
				Type, Scheme string
			} `json:"securitySchemes"`
		} `json:"components"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatalf("document is not JSON: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Errorf("openapi = %q", doc.OpenAPI)
	}
	if b := doc.Components.SecuritySchemes["bearer"]; b.Type != "http" || b.Scheme != "bearer" {
		t.Errorf("bearer security scheme = %+v", b)
	}

	registered := map[string]bool{}
	for _, rt := range s.Routes() {
		key := strings.ToLower(rt.Method) + " " + rt.Pattern
		registered[key] = true
		raw, ok := doc.Paths[rt.Pattern][strings.ToLower(rt.Method)]
		if !ok {
			t.Errorf("%s %s is registered but not documented", rt.Method, rt.Pattern)
			continue
		}
		var op struct {
			Parameters []struct{ Name, In string } `json:"parameters"`
			Responses  map[string]json.RawMessage  `json:"responses"`
		}
		if err := json.Unmarshal(raw, &op); err != nil {
			t.Fatal(err)
		}
		var inPath []string
		for _, p := range op.Parameters {
			if p.In == "path" {
				inPath = append(inPath, p.Name)
			}
		}
		if want := PathParams(rt.Pattern); !slices.Equal(inPath, want) {
			t.Errorf("%s %s documents path parameters %v, pattern has %v", rt.Method, rt.Pattern, inPath, want)
		}
		if len(op.Responses) == 0 {
			t.Errorf("%s %s documents no responses", rt.Method, rt.Pattern)
		}
	}
	for path, item := range doc.Paths {
		for method := range item {
			if !registered[method+" "+path] {
				t.Errorf("%s %s is documented but not registered", method, path)
			}
		}
	}

	// Every $ref resolves to a component schema.
	for _, ref := range refs(rec.Body.String()) {
		name := strings.TrimPrefix(ref, "#/components/schemas/")
		if _, ok := doc.Components.Schemas[name]; !ok {
			t.Errorf("$ref %s does not resolve", ref)
		}
	}
	for _, name := range []string{"Problem", "Organisation", "OrganisationInput", "Person", "PersonInput", "PersonCreated",
		"PersonList", "VettingInput", "Me", "TokenList", "Partnership", "PartnershipPatch"} {
		if _, ok := doc.Components.Schemas[name]; !ok {
			t.Errorf("components.schemas lacks %s", name)
		}
	}
	var person struct {
		Properties map[string]json.RawMessage `json:"properties"`
	}
	_ = json.Unmarshal(doc.Components.Schemas["Person"], &person)
	for _, m := range []string{"id", "organisation_id", "job_title", "created_at", "roles", "vetting"} {
		if _, ok := person.Properties[m]; !ok {
			t.Errorf("Person schema lacks %s", m)
		}
	}
}

func refs(doc string) []string {
	var out []string
	for _, part := range strings.Split(doc, `"$ref": "`)[1:] {
		out = append(out, part[:strings.Index(part, `"`)])
	}
	return out
}

func TestEveryRouteGuarded(t *testing.T) {
	t.Parallel()
	s := New(Deps{})
	mux := http.NewServeMux()
	s.Register(mux)
	seen := map[string]bool{}
	for _, rt := range s.Routes() {
		if rt.Action == "" {
			t.Errorf("%s %s has no access action", rt.Method, rt.Pattern)
		}
		if !strings.HasPrefix(rt.Pattern, Prefix+"/") {
			t.Errorf("%s is outside %s", rt.Pattern, Prefix)
		}
		key := rt.Method + " " + rt.Pattern
		if seen[key] {
			t.Errorf("%s registered twice", key)
		}
		seen[key] = true
		if rt.Action == access.Public {
			if rt.Pattern != Prefix+"/openapi.json" {
				t.Errorf("%s is public", key)
			}
			continue
		}
		// Without a token every other route answers 401 with a bearer challenge, before any handler runs.
		path := strings.NewReplacer("{pid}", "1", "{id}", "2").Replace(rt.Pattern)
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(rt.Method, path, strings.NewReader("{}")))
		if rec.Code != http.StatusUnauthorized || !strings.HasPrefix(rec.Header().Get("WWW-Authenticate"), "Bearer") ||
			rec.Header().Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s without a token = %d %q %q", key, rec.Code, rec.Header().Get("WWW-Authenticate"), rec.Header().Get("Content-Type"))
		}
	}
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/no-such-thing", nil))
	if rec.Code != 404 || rec.Header().Get("Content-Type") != "application/problem+json" {
		t.Errorf("unknown API path = %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
}

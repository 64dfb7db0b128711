package govuk

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/a-h/templ"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// fixture is one example from a govuk-frontend component's fixtures.json:
// the macro options and the HTML the Nunjucks macro renders for them.
type fixture struct {
	Name    string `json:"name"`
	Options opts   `json:"options"`
	HTML    string `json:"html"`
}

func loadFixtures(t *testing.T, component string) map[string]fixture {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "fixtures", component+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Component string    `json:"component"`
		Fixtures  []fixture `json:"fixtures"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&file); err != nil {
		t.Fatalf("%s: %v", component, err)
	}
	byName := make(map[string]fixture, len(file.Fixtures))
	for _, f := range file.Fixtures {
		byName[f.Name] = f
	}
	return byName
}

// checkFixtures renders every fixture of the component, except those in skip
// (name to the reason: an option we do not support), through build and
// compares the result with the fixture's HTML, node tree against node tree.
func checkFixtures(t *testing.T, component string, skip map[string]string, build func(o opts) templ.Component) {
	t.Helper()
	all := loadFixtures(t, component)
	for name := range skip {
		if _, ok := all[name]; !ok {
			t.Errorf("%s: skipped fixture %q does not exist", component, name)
		}
	}
	names := make([]string, 0, len(all))
	for name := range all {
		if _, skipped := skip[name]; !skipped {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	if len(names) == 0 {
		t.Fatalf("%s: no fixtures to check", component)
	}
	passed := 0
	for _, name := range names {
		f := all[name]
		ok := t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := build(f.Options).Render(context.Background(), &buf); err != nil {
				t.Fatal(err)
			}
			want, got := normalize(t, f.HTML), normalize(t, buf.String())
			if want != got {
				t.Errorf("markup differs from govuk-frontend\n%s\ngot:\n%s", firstDifference(want, got), buf.String())
			}
		})
		if ok {
			passed++
		}
	}
	t.Logf("%s: %d/%d fixtures match (%d of %d skipped as unsupported)", component, passed, len(names), len(skip), len(all))
}

var spaces = regexp.MustCompile(`\s+`)

// normalize parses an HTML fragment and prints its node tree one node a line:
// elements with their attributes sorted, text trimmed with runs of
// whitespace collapsed, empty text and comments dropped.
func normalize(t *testing.T, fragment string) string {
	t.Helper()
	context := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := html.ParseFragment(strings.NewReader(fragment), context)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	var walk func(n *html.Node, depth int)
	walk = func(n *html.Node, depth int) {
		indent := strings.Repeat("  ", depth)
		switch n.Type {
		case html.TextNode:
			text := strings.TrimSpace(spaces.ReplaceAllString(n.Data, " "))
			if text != "" {
				fmt.Fprintf(&b, "%s%q\n", indent, text)
			}
			return
		case html.ElementNode:
			attrs := make([]string, 0, len(n.Attr))
			for _, a := range n.Attr {
				name := a.Key
				if a.Namespace != "" {
					name = a.Namespace + ":" + name
				}
				attrs = append(attrs, name+"="+strconv.Quote(strings.TrimSpace(spaces.ReplaceAllString(a.Val, " "))))
			}
			sort.Strings(attrs)
			fmt.Fprintf(&b, "%s<%s %s>\n", indent, n.Data, strings.Join(attrs, " "))
		case html.CommentNode:
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, depth+1)
		}
	}
	for _, n := range nodes {
		walk(n, 0)
	}
	return b.String()
}

func firstDifference(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf("line %d:\nwant %s\ngot  %s", i+1, wl, gl)
		}
	}
	return ""
}

// opts is a fixture's macro options, read loosely as the Nunjucks macro does.
type opts map[string]any

// S reads a string (numbers are formatted as Nunjucks would).
func (o opts) S(key string) string {
	switch v := o[key].(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}

// I reads a whole number.
func (o opts) I(key string) int {
	n, _ := strconv.Atoi(o.S(key))
	return n
}

// B reads a boolean option by truthiness.
func (o opts) B(key string) bool {
	switch v := o[key].(type) {
	case bool:
		return v
	case string:
		return v != ""
	case json.Number:
		return v.String() != "0"
	case nil:
		return false
	}
	return true
}

// BP reads a tri-state boolean: nil when absent.
func (o opts) BP(key string) *bool {
	if v, ok := o[key].(bool); ok {
		return &v
	}
	return nil
}

// M reads a nested options object, nil when absent.
func (o opts) M(key string) opts {
	if m, ok := o[key].(map[string]any); ok {
		return opts(m)
	}
	return nil
}

// L reads a list of options objects, skipping falsy items as the macros do.
func (o opts) L(key string) []opts {
	list, _ := o[key].([]any)
	var out []opts
	for _, item := range list {
		if m, ok := item.(map[string]any); ok {
			out = append(out, opts(m))
		}
	}
	return out
}

// H reads an HTML option as trusted markup.
func (o opts) H(key string) templ.Component {
	if s := o.S(key); s != "" {
		return templ.Raw(s)
	}
	return nil
}

// A reads an attributes option as govukAttributes renders it.
func (o opts) A(key string) templ.Attributes {
	m, ok := o[key].(map[string]any)
	if !ok {
		return nil
	}
	attrs := templ.Attributes{}
	for name, v := range m {
		if spec, ok := v.(map[string]any); ok {
			so := opts(spec)
			if so.B("optional") {
				if b, ok := spec["value"].(bool); ok {
					if b {
						attrs[name] = true
					}
					continue
				}
				if spec["value"] == nil {
					continue
				}
			}
			attrs[name] = so.S("value")
			continue
		}
		attrs[name] = opts{"v": v}.S("v")
	}
	return attrs
}

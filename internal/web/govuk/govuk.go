// Package govuk renders GOV.UK Design System components as templ components.
//
// Each component takes a params struct whose fields mirror the options of the
// Nunjucks macro of the same name in govuk-frontend (the version pinned in
// ui/static/govuk/VERSION), and renders the same markup; the tests compare the
// output with the fixtures.json files shipped in that package. Text fields are
// escaped; HTML fields take a templ.Component (templ.Raw only for markup the
// program itself wrote, never for user input). Only the options this service
// needs are present.
package govuk

import (
	"context"
	"io"
	"strconv"
	"strings"

	"github.com/a-h/templ"
)

// classes joins the non-empty class names with single spaces.
func classes(names ...string) string {
	var b strings.Builder
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(n)
	}
	return b.String()
}

// ifs returns s when cond holds, and "" otherwise.
func ifs(cond bool, s string) string {
	if cond {
		return s
	}
	return ""
}

// or returns the first non-empty string.
func or(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// join appends b to a space-separated list a.
func join(a, b string) string {
	if a == "" {
		return b
	}
	if b == "" {
		return a
	}
	return a + " " + b
}

// itoa formats a positive number, and "" for zero.
func itoa(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// boolString formats a tri-state option ("true", "false" or "" when unset).
func boolString(b *bool) string {
	if b == nil {
		return ""
	}
	return strconv.FormatBool(*b)
}

// hasContent reports whether text or HTML content was given.
func hasContent(text string, html templ.Component) bool {
	return text != "" || html != nil
}

// Bool returns a pointer to b, for the tri-state options (such as Spellcheck)
// whose absence differs from false.
func Bool(b bool) *bool { return &b }

// parenthesised renders " (content)", with no space inside the brackets
// (templ would put one between expressions on separate lines).
func parenthesised(text string, html templ.Component) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		if _, err := io.WriteString(w, " ("); err != nil {
			return err
		}
		if html != nil {
			if err := html.Render(ctx, w); err != nil {
				return err
			}
		} else if _, err := io.WriteString(w, templ.EscapeString(text)); err != nil {
			return err
		}
		_, err := io.WriteString(w, ")")
		return err
	})
}

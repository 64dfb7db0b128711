package govuk

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/preventplatform/prevent/internal/prevent"
)

func TestErrors(t *testing.T) {
	t.Parallel()
	var fields prevent.Fields
	fields.Add("full-name", "Enter your full name")
	fields.Add("dob-day", "Date of birth must include a day")
	fields.Add("full-name", "A second message for the same field")
	errs := ErrorsFrom(fields.Err())

	if !errs.Any() || len(errs) != 3 {
		t.Fatalf("ErrorsFrom lost errors: %v", errs)
	}
	if got := errs.Text("full-name"); got != "Enter your full name" {
		t.Errorf("Text(full-name) = %q, want the first message", got)
	}
	if got := errs.Text("email"); got != "" {
		t.Errorf("Text(email) = %q, want none", got)
	}
	if errs.For("email") != nil {
		t.Error("For(email) should be nil for a field without an error")
	}
	if m := errs.For("dob-day"); m == nil || m.Text != "Date of birth must include a day" {
		t.Errorf("For(dob-day) = %+v", m)
	}
	list := errs.List()
	if len(list) != 3 || list[0].Href != "#full-name" || list[1].Href != "#dob-day" || list[1].Text != "Date of birth must include a day" {
		t.Errorf("List() = %+v", list)
	}
	if ErrorsFrom(nil).Any() || ErrorsFrom(prevent.Errorf(prevent.NotFound, "x")).Any() {
		t.Error("errors without fields must give no field errors")
	}

	var buf bytes.Buffer
	if err := ErrorSummary(errs.Summary()).Render(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{`<a href="#full-name">Enter your full name</a>`, `There is a problem`, `data-module="govuk-error-summary"`} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %s:\n%s", want, out)
		}
	}
}

// TestFieldKeepsValueAndShowsError checks the form-field contract: the
// user's value is kept and the message is linked to the input.
func TestFieldKeepsValueAndShowsError(t *testing.T) {
	t.Parallel()
	errs := Errors{{Field: "email", Message: "Enter an email address in the correct format"}}
	var buf bytes.Buffer
	err := Input(InputParams{Name: "email", Value: `a@b"<`, Label: LabelParams{Text: "Email"}, ErrorMessage: errs.For("email")}).Render(context.Background(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	got := normalize(t, buf.String())
	for _, want := range []string{
		`<input aria-describedby="email-error" class="govuk-input govuk-input--error" id="email" name="email" type="text" value="a@b\"<">`,
		`<p class="govuk-error-message" id="email-error">`,
		`"Enter an email address in the correct format"`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("rendered field lacks %s:\n%s", want, got)
		}
	}
}

// TestNormalize checks the comparison used by the fixture tests ignores only
// what it should: attribute order and whitespace, not text, tags or values.
func TestNormalize(t *testing.T) {
	t.Parallel()
	base := normalize(t, `<a class="x" href="/y">Some  text</a>`)
	if got := normalize(t, "<a href=\"/y\"\n   class=\"x\">\n  Some\n text\n</a>"); got != base {
		t.Errorf("attribute order or whitespace changed the tree:\n%s\n%s", base, got)
	}
	for _, other := range []string{
		`<a class="x" href="/z">Some text</a>`,
		`<a class="x" href="/y">Other text</a>`,
		`<span class="x" href="/y">Some text</span>`,
		`<a class="x" href="/y" hidden>Some text</a>`,
		`<a class="x" href="/y"><b>Some text</b></a>`,
	} {
		if normalize(t, other) == base {
			t.Errorf("%s compared equal to the base", other)
		}
	}
}

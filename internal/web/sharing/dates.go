package sharing

import (
	"errors"
	"net/url"
	"slices"
	"time"

	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/web/core"
)

// formDates reads a form's GOV.UK date inputs for the sharing services, which take each day as a time: a
// date left blank is the zero time, which the services refuse where they require it, and one incomplete or
// not real is the zero time with the input's own message, shown in place of whatever the service says about
// it.
type formDates struct {
	names []string                      // the date inputs read
	errs  map[string]prevent.FieldError // each date input's own error, by the input's name
}

func (d *formDates) read(f core.Form, name, label string) time.Time {
	d.names = append(d.names, name)
	t, fe := core.ReadDate(f, name, label, false)
	if fe.Message != "" {
		if d.errs == nil {
			d.errs = map[string]prevent.FieldError{}
		}
		d.errs[name] = fe
	}
	return t
}

// withToday puts today into the date input called name, as the day a form suggests.
func withToday(v url.Values, name string, now time.Time) url.Values {
	core.SetDateInput(v, name, now.UTC())
	return v
}

// bad is whether a date input is incomplete or not real.
func (d *formDates) bad() bool { return len(d.errs) > 0 }

// merge lays each date input's own error over the service's errors for that date (adding any the service did
// not report), points the service's other errors about a date at its day field, which the error summary links
// to, and returns the result as a validation error; err itself when there is nothing to change.
func (d *formDates) merge(err error) error {
	fes := prevent.FieldErrors(err)
	if len(d.errs) == 0 && len(fes) == 0 {
		return err
	}
	placed := map[string]bool{}
	var out []prevent.FieldError
	for _, fe := range fes {
		if !slices.Contains(d.names, fe.Field) {
			out = append(out, fe)
			continue
		}
		if own, ok := d.errs[fe.Field]; ok {
			if !placed[fe.Field] {
				out, placed[fe.Field] = append(out, own), true
			}
			continue
		}
		fe.Field += "-day"
		out = append(out, fe)
	}
	for _, name := range d.names {
		if own, ok := d.errs[name]; ok && !placed[name] {
			out = append(out, own)
		}
	}
	var e *prevent.Error
	if len(d.errs) == 0 && errors.As(err, &e) {
		// Only the service's errors were moved: the error keeps its kind.
		moved := *e
		moved.Fields = out
		return &moved
	}
	return prevent.Validation(out)
}

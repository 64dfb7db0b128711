package casework

import (
	"slices"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/prevent"
)

// Minimisation: a reader whose organisation was given only some fields of a case (a disclosure names fields
// or categories) sees those fields and no others. The fields, their categories and labels, and the parts of the
// details each covers are the registry's (fields.go).

// visible reports whether p may see a field of case c (which p may see): access decides.
func visible(p prevent.Principal, c caseRow, field string) bool {
	fi, _ := fieldInfo(field)
	return access.FieldVisible(p, c.resource(), field, string(fi.Category))
}

// withheld is the minimiser of one read: it zeroes what p may not see of case c and lists its labels.
type withheld struct {
	p      prevent.Principal
	c      caseRow
	labels []string
}

// keep reports whether the field is visible; when not, it records the field's label and the caller zeroes it.
func (w *withheld) keep(field string) bool {
	if visible(w.p, w.c, field) {
		return true
	}
	fi, _ := fieldInfo(field)
	if !slices.Contains(w.labels, fi.Label) {
		w.labels = append(w.labels, fi.Label)
	}
	return false
}

// minimiseReferral zeroes the fields of r that p's organisation was not given, and lists their labels in
// r.Withheld, in the order of CaseFields: each field's parts of the details, and what else of r it holds. The
// organisation that holds the case and coordinating roles see everything.
func minimiseReferral(p prevent.Principal, c caseRow, r *Referral) {
	w := &withheld{p: p, c: c}
	for _, fi := range CaseFields {
		if fi.held == inRecords || w.keep(fi.Field) {
			continue
		}
		for _, i := range fieldParts[fi.Field] {
			Parts[i].value(&r.Details).SetZero()
		}
		if fi.withhold != nil {
			fi.withhold(r)
		}
	}
	r.Withheld = w.labels
}

package govuk

import "github.com/preventplatform/prevent/internal/prevent"

// Errors is a form's field errors in the order of the form. Each Field is the
// id of the input it belongs to, which the error summary links to.
type Errors []prevent.FieldError

// ErrorsFrom returns the field errors carried by err (a prevent.Error of kind
// Invalid), or nil.
func ErrorsFrom(err error) Errors {
	return Errors(prevent.FieldErrors(err))
}

// Any reports whether there is at least one error.
func (e Errors) Any() bool { return len(e) > 0 }

// Text returns the first message for field, or "".
func (e Errors) Text(field string) string {
	for _, fe := range e {
		if fe.Field == field {
			return fe.Message
		}
	}
	return ""
}

// For returns the error message params for field, or nil when it has no
// error; pass it as a form field's ErrorMessage.
func (e Errors) For(field string) *ErrorMessageParams {
	for _, fe := range e {
		if fe.Field == field {
			return &ErrorMessageParams{Text: fe.Message}
		}
	}
	return nil
}

// List returns the error summary items, each linking to "#" and its field's id.
func (e Errors) List() []ErrorSummaryItem {
	items := make([]ErrorSummaryItem, 0, len(e))
	for _, fe := range e {
		items = append(items, ErrorSummaryItem{Href: "#" + fe.Field, Text: fe.Message})
	}
	return items
}

// Summary returns the error summary for these errors, titled "There is a problem".
func (e Errors) Summary() ErrorSummaryParams {
	return ErrorSummaryParams{TitleText: "There is a problem", ErrorList: e.List()}
}

// Package prevent is the shared vocabulary of the platform: errors, principals,
// roles, vetting levels and protective markings. It imports only the standard library.
package prevent

import (
	"errors"
	"fmt"
)

// Kind classifies an expected failure. Only the web and api packages map kinds to HTTP status codes.
type Kind string

// The kinds of expected failure.
const (
	Invalid         Kind = "invalid"
	NotFound        Kind = "not_found"
	Forbidden       Kind = "forbidden"
	Unauthenticated Kind = "unauthenticated"
	Conflict        Kind = "conflict"
	Internal        Kind = "internal"
)

// GenericMessage is what a user sees for any unexpected failure (GOV.UK wording).
const GenericMessage = "Sorry, there is a problem with the service"

// FieldError is a validation message attached to one form field or JSON member.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is an expected failure whose Message is safe to show to the user.
type Error struct {
	Kind    Kind
	Message string
	Fields  []FieldError
}

func (e *Error) Error() string { return e.Message }

// Errorf returns an *Error of the given kind with a formatted, user-safe message.
func Errorf(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// Validation returns an Invalid error carrying field errors, or nil when there are none.
func Validation(fields []FieldError) error {
	if len(fields) == 0 {
		return nil
	}
	return &Error{Kind: Invalid, Message: "There is a problem", Fields: fields}
}

// ErrorKind returns the kind of err, Internal for anything that is not an *Error.
func ErrorKind(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// PublicMessage returns the message of an expected error, and the generic message otherwise.
func PublicMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Kind != Internal {
		return e.Message
	}
	return GenericMessage
}

// FieldErrors returns the field errors carried by err, if any.
func FieldErrors(err error) []FieldError {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// Fields collects field errors in the order they are added, which is the order of the form.
type Fields []FieldError

// Add appends a field error.
func (f *Fields) Add(field, message string) {
	*f = append(*f, FieldError{Field: field, Message: message})
}

// Has reports whether field already has an error.
func (f Fields) Has(field string) bool {
	for _, e := range f {
		if e.Field == field {
			return true
		}
	}
	return false
}

// Err returns the collected errors as an Invalid error, or nil.
func (f Fields) Err() error { return Validation(f) }

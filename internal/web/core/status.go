package core

import (
	"net/http"

	"github.com/preventplatform/prevent/internal/prevent"
)

// Status is the HTTP status of a page that failed with err, by the error's kind. A record the person may not
// see is shown as not found, so that a page does not tell them it exists.
func Status(err error) int {
	switch prevent.ErrorKind(err) {
	case prevent.Invalid:
		return http.StatusUnprocessableEntity
	case prevent.NotFound, prevent.Forbidden:
		return http.StatusNotFound
	case prevent.Unauthenticated:
		return http.StatusUnauthorized
	case prevent.Conflict:
		return http.StatusConflict
	}
	return http.StatusInternalServerError
}

// Invalid reports whether err is a validation failure, which a page shows on its form again with what was
// typed and the errors found in it.
func Invalid(err error) bool { return prevent.ErrorKind(err) == prevent.Invalid }

// Refused reports whether err is a refusal, a conflict with the state of the record, which a page shows on its
// form in the words the service gave.
func Refused(err error) bool { return prevent.ErrorKind(err) == prevent.Conflict }

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

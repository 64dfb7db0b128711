package core

import (
	"net/http"
	"strconv"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/prevent"
)

// PathID reads the numeric id called name from the path; anything else is a page that does not exist.
func PathID(r *http.Request, name string) (prevent.ID, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, access.NotFound("Page")
	}
	return id, nil
}

// FormID reads the record id a form field or query parameter carries in s: 0 when s is blank, not a number or
// negative, which the services take as no record chosen.
func FormID(s string) prevent.ID {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// IDText is a record id as an address, a form field or a page writes it: 1042.
func IDText(id prevent.ID) string { return strconv.FormatInt(id, 10) }

// FormIDs reads the record ids of checkboxes, leaving out any that is not a positive number.
func FormIDs(ss []string) []prevent.ID {
	var out []prevent.ID
	for _, s := range ss {
		if id := FormID(s); id > 0 {
			out = append(out, id)
		}
	}
	return out
}

// PathIDs reads the partnership id ({pid}) and the record id ({id}).
func PathIDs(r *http.Request) (pid, id prevent.ID, err error) {
	if pid, err = PathID(r, "pid"); err != nil {
		return 0, 0, err
	}
	if id, err = PathID(r, "id"); err != nil {
		return 0, 0, err
	}
	return pid, id, nil
}

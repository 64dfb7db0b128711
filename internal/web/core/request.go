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

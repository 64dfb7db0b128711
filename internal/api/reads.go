package api

import (
	"context"
	"net/http"

	"github.com/preventplatform/prevent/internal/prevent"
)

// Most reads of a partnership's records have one shape: the partnership (and the record) from the path, the
// domain service's list or get with the caller as principal, each domain value as the API has it, 200. listOf
// and getOf are that shape; a read that does anything more (a query, a page, a check against the path) is
// written out.

// listOf answers GET of a partnership's list: list(ctx, caller, {pid}), each value through out, as the list
// type L, whose items are never null. L is the type the route documents; the constraint holds it to a bare
// items array, so the body is what the document says.
func listOf[L ~struct {
	Items []A `json:"items"`
}, D, A any](list func(context.Context, prevent.Principal, prevent.ID) ([]D, error), out func(D) A) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		pid, err := pathID(r, "pid")
		if err != nil {
			return err
		}
		ds, err := list(r.Context(), prevent.PrincipalFrom(r.Context()), pid)
		if err != nil {
			return err
		}
		items := make([]A, 0, len(ds))
		for _, d := range ds {
			items = append(items, out(d))
		}
		return encode(w, http.StatusOK, L{Items: items})
	}
}

// getOf answers GET of one of a partnership's records: get(ctx, caller, {pid}, {id}) through out.
func getOf[D, A any](get func(context.Context, prevent.Principal, prevent.ID, prevent.ID) (D, error), out func(D) A) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		pid, id, err := pidAndID(r)
		if err != nil {
			return err
		}
		d, err := get(r.Context(), prevent.PrincipalFrom(r.Context()), pid, id)
		if err != nil {
			return err
		}
		return encode(w, http.StatusOK, out(d))
	}
}

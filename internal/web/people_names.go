package web

import (
	"context"

	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/web/core"
)

// lookupNames reads the names of partnership pid's organisations and of the people in ids, as far as the
// reader may see them (core.LookupStaffNames), on the service's clock.
func (s *Server) lookupNames(ctx context.Context, p prevent.Principal, pid prevent.ID, ids []prevent.ID) (staffNames, error) {
	return core.LookupStaffNames(ctx, s.deps.Partnership, p, pid, ids, s.deps.Now())
}

package web

import "github.com/preventplatform/prevent/internal/web/rights"

// noticesPath is the address of the notices to the signed-in person's organisation (internal/web/rights), for
// the pages still in this package that link to it.
var noticesPath = rights.NoticesPath.Link

package core

import "github.com/preventplatform/prevent/internal/prevent"

// Layout is what a page's frame needs: title, who is signed in, navigation, errors and banners.
type Layout struct {
	Title     string
	Principal prevent.Principal
	Nav       []NavItem
	Errors    []prevent.FieldError
	Success   string
	Demo      bool
	Back      string
	// Marking is shown as a banner at the top and bottom of pages that show marked material.
	Marking prevent.Marking
}

// NavItem is one link of the service navigation.
type NavItem struct {
	Text, Href string
	Current    bool
}

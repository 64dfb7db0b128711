package govuk

import (
	"testing"

	"github.com/a-h/templ"
)

// Mappings from fixture options to params structs.

func hintOf(o opts) *HintParams {
	if o == nil {
		return nil
	}
	return &HintParams{ID: o.S("id"), Text: o.S("text"), HTML: o.H("html"), Classes: o.S("classes"), Attributes: o.A("attributes")}
}

func errorMessageOf(o opts) *ErrorMessageParams {
	if o == nil {
		return nil
	}
	return &ErrorMessageParams{ID: o.S("id"), Text: o.S("text"), HTML: o.H("html"), Classes: o.S("classes"), VisuallyHiddenText: o.S("visuallyHiddenText"), Attributes: o.A("attributes")}
}

func labelOf(o opts) LabelParams {
	return LabelParams{Text: o.S("text"), HTML: o.H("html"), For: o.S("for"), Classes: o.S("classes"), IsPageHeading: o.B("isPageHeading"), Attributes: o.A("attributes")}
}

func legendOf(o opts) *LegendParams {
	if o == nil {
		return nil
	}
	return &LegendParams{Text: o.S("text"), HTML: o.H("html"), Classes: o.S("classes"), IsPageHeading: o.B("isPageHeading")}
}

func fieldsetOf(o opts) *FieldsetParams {
	if o == nil {
		return nil
	}
	return &FieldsetParams{Legend: legendOf(o.M("legend")), DescribedBy: o.S("describedBy"), Role: o.S("role"), Classes: o.S("classes"), Attributes: o.A("attributes"), HTML: o.H("html")}
}

func formGroupOf(o opts) FormGroupParams {
	return FormGroupParams{Classes: o.S("classes"), Attributes: o.A("attributes")}
}

func affixOf(o opts) *AffixParams {
	if o == nil {
		return nil
	}
	return &AffixParams{Text: o.S("text"), HTML: o.H("html"), Classes: o.S("classes"), Attributes: o.A("attributes")}
}

func tagOf(o opts) TagParams {
	return TagParams{Text: o.S("text"), HTML: o.H("html"), Classes: o.S("classes"), Attributes: o.A("attributes")}
}

func choiceItemsOf(list []opts) []ChoiceItem {
	var items []ChoiceItem
	for _, it := range list {
		var conditional templ.Component
		if c := it.M("conditional"); c != nil {
			conditional = c.H("html")
		}
		var hint *HintParams
		if h := it.M("hint"); h != nil {
			hint = hintOf(h)
		}
		items = append(items, ChoiceItem{
			ID: it.S("id"), Value: it.S("value"), Text: it.S("text"), HTML: it.H("html"),
			Label:   ItemLabel{Classes: it.M("label").S("classes"), Attributes: it.M("label").A("attributes")},
			Hint:    hint,
			Divider: it.S("divider"), Checked: it.B("checked"), Disabled: it.B("disabled"),
			Conditional: conditional, Name: it.S("name"), Behaviour: it.S("behaviour"), Attributes: it.A("attributes"),
		})
	}
	return items
}

func TestButton(t *testing.T) {
	t.Parallel()
	checkFixtures(t, "button", nil, func(o opts) templ.Component {
		return Button(ButtonParams{
			Text: o.S("text"), HTML: o.H("html"), Href: o.S("href"), Type: o.S("type"), Name: o.S("name"),
			Value: o.S("value"), Disabled: o.B("disabled"), PreventDoubleClick: o.BP("preventDoubleClick"),
			IsStartButton: o.B("isStartButton"), ID: o.S("id"), Classes: o.S("classes"), Attributes: o.A("attributes"),
		})
	})
}

func inputOf(o opts) InputParams {
	return InputParams{
		ID: o.S("id"), Name: o.S("name"), Type: o.S("type"), Inputmode: o.S("inputmode"), Value: o.S("value"),
		Disabled: o.B("disabled"), DescribedBy: o.S("describedBy"), Label: labelOf(o.M("label")),
		Hint: hintOf(o.M("hint")), ErrorMessage: errorMessageOf(o.M("errorMessage")),
		Prefix: affixOf(o.M("prefix")), Suffix: affixOf(o.M("suffix")), FormGroup: formGroupOf(o.M("formGroup")),
		InputWrapper: formGroupOf(o.M("inputWrapper")), Classes: o.S("classes"), Autocomplete: o.S("autocomplete"),
		Autocapitalize: o.S("autocapitalize"), Pattern: o.S("pattern"), Spellcheck: o.BP("spellcheck"),
		Attributes: o.A("attributes"),
	}
}

func TestInput(t *testing.T) {
	t.Parallel()
	checkFixtures(t, "input", nil, func(o opts) templ.Component { return Input(inputOf(o)) })
}

func TestTextarea(t *testing.T) {
	t.Parallel()
	checkFixtures(t, "textarea", nil, func(o opts) templ.Component {
		return Textarea(TextareaParams{
			ID: o.S("id"), Name: o.S("name"), Rows: o.I("rows"), Value: o.S("value"), Disabled: o.B("disabled"),
			DescribedBy: o.S("describedBy"), Label: labelOf(o.M("label")), Hint: hintOf(o.M("hint")),
			ErrorMessage: errorMessageOf(o.M("errorMessage")), FormGroup: formGroupOf(o.M("formGroup")),
			Classes: o.S("classes"), Autocomplete: o.S("autocomplete"), Spellcheck: o.BP("spellcheck"),
			Attributes: o.A("attributes"),
		})
	})
}

func TestSelect(t *testing.T) {
	t.Parallel()
	checkFixtures(t, "select", map[string]string{
		"item selected overrides value":      "an item cannot be unselected against Value",
		"without values":                     "options always carry a value attribute",
		"without values with selected value": "options always carry a value attribute",
	}, func(o opts) templ.Component {
		var items []SelectItem
		for _, it := range o.L("items") {
			items = append(items, SelectItem{Value: it.S("value"), Text: it.S("text"), Selected: it.B("selected"), Disabled: it.B("disabled"), Attributes: it.A("attributes")})
		}
		return Select(SelectParams{
			ID: o.S("id"), Name: o.S("name"), Items: items, Value: o.S("value"), Disabled: o.B("disabled"),
			DescribedBy: o.S("describedBy"), Label: labelOf(o.M("label")), Hint: hintOf(o.M("hint")),
			ErrorMessage: errorMessageOf(o.M("errorMessage")), FormGroup: formGroupOf(o.M("formGroup")),
			Classes: o.S("classes"), Attributes: o.A("attributes"),
		})
	})
}

func TestRadios(t *testing.T) {
	t.Parallel()
	checkFixtures(t, "radios", map[string]string{
		"item checked overrides value": "an item cannot be unchecked against Value",
		"with empty conditional":       "Nunjucks skips empty conditionals; ours are components",
		"with falsy items":             "Go has no falsy items",
	}, func(o opts) templ.Component {
		return Radios(RadiosParams{
			IDPrefix: o.S("idPrefix"), Name: o.S("name"), Items: choiceItemsOf(o.L("items")), Value: o.S("value"),
			Fieldset: fieldsetOf(o.M("fieldset")), Hint: hintOf(o.M("hint")), ErrorMessage: errorMessageOf(o.M("errorMessage")),
			FormGroup: formGroupOf(o.M("formGroup")), Classes: o.S("classes"), Attributes: o.A("attributes"),
		})
	})
}

func TestCheckboxes(t *testing.T) {
	t.Parallel()
	checkFixtures(t, "checkboxes", map[string]string{
		"empty conditional":             "Nunjucks skips empty conditionals; ours are components",
		"item checked overrides values": "an item cannot be unchecked against Values",
		"with falsy values":             "Go has no falsy items",
	}, func(o opts) templ.Component {
		var values []string
		if list, ok := o["values"].([]any); ok {
			for _, v := range list {
				values = append(values, opts{"v": v}.S("v"))
			}
		}
		return Checkboxes(CheckboxesParams{
			IDPrefix: o.S("idPrefix"), Name: o.S("name"), Items: choiceItemsOf(o.L("items")), Values: values,
			DescribedBy: o.S("describedBy"), Fieldset: fieldsetOf(o.M("fieldset")), Hint: hintOf(o.M("hint")),
			ErrorMessage: errorMessageOf(o.M("errorMessage")), FormGroup: formGroupOf(o.M("formGroup")),
			Classes: o.S("classes"), Attributes: o.A("attributes"),
		})
	})
}

func TestDateInput(t *testing.T) {
	t.Parallel()
	checkFixtures(t, "date-input", map[string]string{
		"day and month":                             "the separate day/month/year options are not supported (use Items)",
		"month and year":                            "the separate day/month/year options are not supported (use Items)",
		"with error on single field by omission":    "error: false is not distinguishable from unset",
		"with error on single item by omission":     "error: false is not distinguishable from unset",
		"with field value and items":                "values keyed by custom item names are not supported",
		"with values, name prefix and custom names": "values keyed by custom item names are not supported",
	}, func(o opts) templ.Component {
		var items []DateInputItem
		for _, it := range o.L("items") {
			items = append(items, dateItemOf(it, ""))
		}
		if len(items) == 0 && (o.M("day") != nil || o.M("month") != nil || o.M("year") != nil) {
			items = []DateInputItem{dateItemOf(o.M("day"), "day"), dateItemOf(o.M("month"), "month"), dateItemOf(o.M("year"), "year")}
		}
		values, prefix := o.M("values"), or(o.S("namePrefix")+"-", "")
		if o.S("namePrefix") == "" {
			prefix = ""
		}
		return DateInput(DateInputParams{
			ID: o.S("id"), NamePrefix: o.S("namePrefix"), Items: items,
			Values:   DateValues{Day: values.S(prefix + "day"), Month: values.S(prefix + "month"), Year: values.S(prefix + "year")},
			Fieldset: fieldsetOf(o.M("fieldset")), Hint: hintOf(o.M("hint")), ErrorMessage: errorMessageOf(o.M("errorMessage")),
			FormGroup: formGroupOf(o.M("formGroup")), Classes: o.S("classes"), Attributes: o.A("attributes"),
		})
	})
}

func dateItemOf(it opts, name string) DateInputItem {
	return DateInputItem{
		ID: it.S("id"), Name: or(it.S("name"), name), Label: it.S("label"), Value: it.S("value"), Classes: it.S("classes"),
		Inputmode: it.S("inputmode"), Autocomplete: it.S("autocomplete"), Pattern: it.S("pattern"), Error: it.B("error"),
		Attributes: it.A("attributes"),
	}
}

func TestFieldset(t *testing.T) {
	t.Parallel()
	checkFixtures(t, "fieldset", nil, func(o opts) templ.Component { return Fieldset(*fieldsetOf(o)) })
}

func TestErrorSummary(t *testing.T) {
	t.Parallel()
	checkFixtures(t, "error-summary", nil, func(o opts) templ.Component {
		var list []ErrorSummaryItem
		for _, it := range o.L("errorList") {
			list = append(list, ErrorSummaryItem{Href: it.S("href"), Text: it.S("text"), HTML: it.H("html"), Attributes: it.A("attributes")})
		}
		return ErrorSummary(ErrorSummaryParams{
			TitleText: o.S("titleText"), TitleHTML: o.H("titleHtml"), DescriptionText: o.S("descriptionText"),
			DescriptionHTML: o.H("descriptionHtml"), ErrorList: list, DisableAutoFocus: o.BP("disableAutoFocus"),
			Classes: o.S("classes"), Attributes: o.A("attributes"),
		})
	})
}

func TestErrorMessage(t *testing.T) {
	t.Parallel()
	checkFixtures(t, "error-message", map[string]string{
		"translated":                   "removing the visually hidden prefix is not supported",
		"visually hidden text removed": "removing the visually hidden prefix is not supported",
	}, func(o opts) templ.Component { return ErrorMessage(*errorMessageOf(o)) })
}

func TestHint(t *testing.T) {
	t.Parallel()
	checkFixtures(t, "hint", nil, func(o opts) templ.Component { return Hint(*hintOf(o)) })
}

func TestLabel(t *testing.T) {
	t.Parallel()
	checkFixtures(t, "label", nil, func(o opts) templ.Component { return Label(labelOf(o)) })
}

func TestNotificationBanner(t *testing.T) {
	t.Parallel()
	checkFixtures(t, "notification-banner", nil, func(o opts) templ.Component {
		return NotificationBanner(NotificationBannerParams{
			Type: o.S("type"), TitleText: o.S("titleText"), TitleHTML: o.H("titleHtml"), TitleID: o.S("titleId"),
			TitleHeadingLevel: o.I("titleHeadingLevel"), Text: o.S("text"), HTML: o.H("html"), Role: o.S("role"),
			DisableAutoFocus: o.BP("disableAutoFocus"), Classes: o.S("classes"), Attributes: o.A("attributes"),
		})
	})
}

func summaryActionsOf(o opts) SummaryListActions {
	var items []SummaryListAction
	for _, a := range o.L("items") {
		items = append(items, SummaryListAction{Href: a.S("href"), Text: a.S("text"), HTML: a.H("html"), VisuallyHiddenText: a.S("visuallyHiddenText"), Classes: a.S("classes"), Attributes: a.A("attributes")})
	}
	return SummaryListActions{Items: items, Classes: o.S("classes")}
}

func TestSummaryList(t *testing.T) {
	t.Parallel()
	checkFixtures(t, "summary-list", nil, func(o opts) templ.Component {
		var rows []SummaryListRow
		for _, r := range o.L("rows") {
			k, v := r.M("key"), r.M("value")
			rows = append(rows, SummaryListRow{
				Key:     SummaryListCell{Text: k.S("text"), HTML: k.H("html"), Classes: k.S("classes")},
				Value:   SummaryListCell{Text: v.S("text"), HTML: v.H("html"), Classes: v.S("classes")},
				Actions: summaryActionsOf(r.M("actions")), Classes: r.S("classes"),
			})
		}
		var card *SummaryCardParams
		if c := o.M("card"); c != nil {
			card = &SummaryCardParams{Actions: summaryActionsOf(c.M("actions")), Classes: c.S("classes"), Attributes: c.A("attributes")}
			if ti := c.M("title"); ti != nil {
				card.Title = &SummaryCardTitle{Text: ti.S("text"), HTML: ti.H("html"), HeadingLevel: ti.I("headingLevel"), Classes: ti.S("classes")}
			}
		}
		return SummaryList(SummaryListParams{Rows: rows, Card: card, Classes: o.S("classes"), Attributes: o.A("attributes")})
	})
}

func tableCellOf(c opts) TableCell {
	return TableCell{Text: c.S("text"), HTML: c.H("html"), Format: c.S("format"), Colspan: c.I("colspan"), Rowspan: c.I("rowspan"), Classes: c.S("classes"), Attributes: c.A("attributes")}
}

func TestTable(t *testing.T) {
	t.Parallel()
	checkFixtures(t, "table", nil, func(o opts) templ.Component {
		var head []TableCell
		for _, c := range o.L("head") {
			head = append(head, tableCellOf(c))
		}
		var rows [][]TableCell
		list, _ := o["rows"].([]any)
		for _, r := range list {
			cells, ok := r.([]any)
			if !ok {
				continue
			}
			var row []TableCell
			for _, c := range cells {
				m, _ := c.(map[string]any)
				row = append(row, tableCellOf(m))
			}
			rows = append(rows, row)
		}
		return Table(TableParams{
			Caption: o.S("caption"), CaptionClasses: o.S("captionClasses"), Head: head, Rows: rows,
			FirstCellIsHeader: o.B("firstCellIsHeader"), Classes: o.S("classes"), Attributes: o.A("attributes"),
		})
	})
}

func TestTag(t *testing.T) {
	t.Parallel()
	checkFixtures(t, "tag", nil, func(o opts) templ.Component { return Tag(tagOf(o)) })
}

func TestBackLink(t *testing.T) {
	t.Parallel()
	checkFixtures(t, "back-link", nil, func(o opts) templ.Component {
		return BackLink(BackLinkParams{Href: o.S("href"), Text: o.S("text"), HTML: o.H("html"), Classes: o.S("classes"), Attributes: o.A("attributes")})
	})
}

func TestBreadcrumbs(t *testing.T) {
	t.Parallel()
	checkFixtures(t, "breadcrumbs", nil, func(o opts) templ.Component {
		var items []BreadcrumbItem
		for _, it := range o.L("items") {
			items = append(items, BreadcrumbItem{Text: it.S("text"), HTML: it.H("html"), Href: it.S("href"), Attributes: it.A("attributes")})
		}
		return Breadcrumbs(BreadcrumbsParams{Items: items, CollapseOnMobile: o.B("collapseOnMobile"), LabelText: o.S("labelText"), Classes: o.S("classes"), Attributes: o.A("attributes")})
	})
}

func TestPanel(t *testing.T) {
	t.Parallel()
	checkFixtures(t, "panel", map[string]string{
		"interruption":                                      "interruption panel actions are not supported",
		"interruption, button link":                         "interruption panel actions are not supported",
		"interruption, no actions items":                    "interruption panel actions are not supported",
		"interruption, submit action":                       "interruption panel actions are not supported",
		"interruption, with actions classes and attributes": "interruption panel actions are not supported",
		"interruption-with-content-with-long-line-length":   "interruption panel actions are not supported",
		"interruption-with-headings-content-and-lists":      "interruption panel actions are not supported",
	}, func(o opts) templ.Component {
		return Panel(PanelParams{TitleText: o.S("titleText"), TitleHTML: o.H("titleHtml"), HeadingLevel: o.I("headingLevel"), Text: o.S("text"), HTML: o.H("html"), Classes: o.S("classes"), Attributes: o.A("attributes")})
	})
}

func TestInsetText(t *testing.T) {
	t.Parallel()
	checkFixtures(t, "inset-text", nil, func(o opts) templ.Component {
		return InsetText(InsetTextParams{ID: o.S("id"), Text: o.S("text"), HTML: o.H("html"), Classes: o.S("classes"), Attributes: o.A("attributes")})
	})
}

func TestWarningText(t *testing.T) {
	t.Parallel()
	checkFixtures(t, "warning-text", nil, func(o opts) templ.Component {
		return WarningText(WarningTextParams{Text: o.S("text"), HTML: o.H("html"), IconFallbackText: o.S("iconFallbackText"), Classes: o.S("classes"), Attributes: o.A("attributes")})
	})
}

func TestDetails(t *testing.T) {
	t.Parallel()
	checkFixtures(t, "details", nil, func(o opts) templ.Component {
		return Details(DetailsParams{ID: o.S("id"), SummaryText: o.S("summaryText"), SummaryHTML: o.H("summaryHtml"), Text: o.S("text"), HTML: o.H("html"), Open: o.B("open"), Classes: o.S("classes"), Attributes: o.A("attributes")})
	})
}

func paginationLinkOf(o opts) *PaginationLink {
	if o == nil {
		return nil
	}
	return &PaginationLink{Href: o.S("href"), Text: o.S("text"), HTML: o.H("html"), LabelText: o.S("labelText"), Attributes: o.A("attributes")}
}

func TestPagination(t *testing.T) {
	t.Parallel()
	checkFixtures(t, "pagination", nil, func(o opts) templ.Component {
		var items []PaginationItem
		for _, it := range o.L("items") {
			if len(it) == 0 {
				continue
			}
			items = append(items, PaginationItem{Number: it.S("number"), Href: it.S("href"), Current: it.B("current"), Ellipsis: it.B("ellipsis"), VisuallyHiddenText: it.S("visuallyHiddenText"), Attributes: it.A("attributes")})
		}
		return Pagination(PaginationParams{Items: items, Previous: paginationLinkOf(o.M("previous")), Next: paginationLinkOf(o.M("next")), LandmarkLabel: o.S("landmarkLabel"), Classes: o.S("classes"), Attributes: o.A("attributes")})
	})
}

func TestPhaseBanner(t *testing.T) {
	t.Parallel()
	checkFixtures(t, "phase-banner", nil, func(o opts) templ.Component {
		return PhaseBanner(PhaseBannerParams{Tag: tagOf(o.M("tag")), Text: o.S("text"), HTML: o.H("html"), Classes: o.S("classes"), Attributes: o.A("attributes")})
	})
}

func TestSkipLink(t *testing.T) {
	t.Parallel()
	checkFixtures(t, "skip-link", nil, func(o opts) templ.Component {
		return SkipLink(SkipLinkParams{Href: o.S("href"), Text: o.S("text"), HTML: o.H("html"), Classes: o.S("classes"), Attributes: o.A("attributes")})
	})
}

func TestServiceNavigation(t *testing.T) {
	t.Parallel()
	checkFixtures(t, "service-navigation", map[string]string{
		"inverse with language navigation":       "slots are not supported (only EndSlot)",
		"with `inline` end slot":                 "slots are not supported (only EndSlot)",
		"with language navigation":               "slots are not supported (only EndSlot)",
		"with right-aligned language navigation": "slots are not supported (only EndSlot)",
		"with slotted content":                   "slots are not supported (only EndSlot)",
	}, func(o opts) templ.Component {
		var nav []ServiceNavigationItem
		for _, it := range o.L("navigation") {
			nav = append(nav, ServiceNavigationItem{Href: it.S("href"), Text: it.S("text"), HTML: it.H("html"), Current: it.B("current"), Active: it.B("active"), Attributes: it.A("attributes")})
		}
		return ServiceNavigation(ServiceNavigationParams{
			ServiceName: o.S("serviceName"), ServiceURL: o.S("serviceUrl"), Navigation: nav,
			NavigationLabel: o.S("navigationLabel"), NavigationID: o.S("navigationId"), NavigationClasses: o.S("navigationClasses"),
			MenuButtonText: o.S("menuButtonText"), MenuButtonLabel: o.S("menuButtonLabel"),
			CollapseNavigationOnMobile: o.BP("collapseNavigationOnMobile"), AriaLabel: o.S("ariaLabel"),
			Classes: o.S("classes"), Attributes: o.A("attributes"),
		})
	})
}

func TestHeader(t *testing.T) {
	t.Parallel()
	checkFixtures(t, "header", nil, func(o opts) templ.Component {
		return Header(HeaderParams{HomepageURL: o.S("homepageUrl"), ProductName: o.S("productName"), ContainerClasses: o.S("containerClasses"), Classes: o.S("classes"), Attributes: o.A("attributes")})
	})
}

func footerLinksOf(list []opts) []FooterLink {
	var links []FooterLink
	for _, it := range list {
		links = append(links, FooterLink{Href: it.S("href"), Text: it.S("text"), Attributes: it.A("attributes")})
	}
	return links
}

func footerContentOf(o opts) *FooterContent {
	if o == nil {
		return nil
	}
	return &FooterContent{Text: o.S("text"), HTML: o.H("html")}
}

func TestFooter(t *testing.T) {
	t.Parallel()
	checkFixtures(t, "footer", nil, func(o opts) templ.Component {
		var nav []FooterNavigation
		for _, n := range o.L("navigation") {
			nav = append(nav, FooterNavigation{Title: n.S("title"), Width: n.S("width"), Columns: n.I("columns"), Items: footerLinksOf(n.L("items"))})
		}
		var meta *FooterMeta
		if m := o.M("meta"); m != nil {
			meta = &FooterMeta{VisuallyHiddenTitle: m.S("visuallyHiddenTitle"), Items: footerLinksOf(m.L("items")), Text: m.S("text"), HTML: m.H("html")}
		}
		return Footer(FooterParams{
			Navigation: nav, Meta: meta, ContentLicence: footerContentOf(o.M("contentLicence")),
			NoContentLicence: hasNull(o, "contentLicence"),
			Copyright:        footerContentOf(o.M("copyright")), ContainerClasses: o.S("containerClasses"),
			Classes: o.S("classes"), Attributes: o.A("attributes"),
		})
	})
}

func TestTaskList(t *testing.T) {
	t.Parallel()
	checkFixtures(t, "task-list", map[string]string{
		"with empty values": "Go has no falsy items",
	}, func(o opts) templ.Component {
		var items []TaskListItem
		for _, it := range o.L("items") {
			ti, st := it.M("title"), it.M("status")
			item := TaskListItem{
				Title:   TaskListTitle{Text: ti.S("text"), HTML: ti.H("html"), Classes: ti.S("classes")},
				Hint:    hintOf(it.M("hint")),
				Href:    it.S("href"),
				Status:  TaskListStatus{Text: st.S("text"), HTML: st.H("html"), Classes: st.S("classes")},
				Classes: it.S("classes"),
			}
			if tag := st.M("tag"); tag != nil {
				tp := tagOf(tag)
				item.Status.Tag = &tp
			}
			items = append(items, item)
		}
		return TaskList(TaskListParams{Items: items, IDPrefix: o.S("idPrefix"), Classes: o.S("classes"), Attributes: o.A("attributes")})
	})
}

// hasNull reports whether the option is present and null.
func hasNull(o opts, key string) bool {
	v, ok := o[key]
	return ok && v == nil
}

package rights

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
)

// The subject access bundle (UK GDPR Art 15, DPA 2018 s.45): in one action, everything held on the person a
// subject access request is about — every referral of theirs with its sections, the disclosure log (who
// received what, when, why and on what basis) and the access log (who viewed the records: the audit log's
// consultations, with the names and organisations of the professionals). Every piece of content is an item
// with a stable key, so that the data protection officer can mark items to withhold under a recorded
// exemption (Redact); the bundle then withholds them and lists each exemption. The records come from casework
// (casework.SubjectRecords), the disclosure log from sharing (sharing.DisclosuresFor) and the access log from
// the audit log (audit.ForRecords), all read in one transaction.

// BundleItem is one piece of information held.
type BundleItem struct {
	Key   string    `json:"key"`
	Label string    `json:"label"`
	Value string    `json:"value,omitempty"`
	At    time.Time `json:"at,omitzero"`
	// By names the professional who recorded it, with their organisation.
	By string `json:"by,omitempty"`
	// Withheld is true when the item is withheld under an exemption (its value and author are then empty
	// in a final bundle).
	Withheld  bool   `json:"withheld,omitempty"`
	Exemption string `json:"exemption,omitempty"`
}

// BundleSection is a part of a record, such as its triage outcome or its timeline.
type BundleSection struct {
	Title string       `json:"title"`
	Items []BundleItem `json:"items"`
}

// BundleRecord is one referral of the person, with its sections.
type BundleRecord struct {
	ReferralID  prevent.ID      `json:"referral_id"`
	Reference   string          `json:"reference"`
	Stage       string          `json:"stage"`
	ReferredBy  string          `json:"referred_by"`
	SubmittedAt time.Time       `json:"submitted_at,omitzero"`
	Sections    []BundleSection `json:"sections"`
}

// BundleDisclosure is one entry of the disclosure log: who received what, when, why and on what basis.
type BundleDisclosure struct {
	Key             string    `json:"key"`
	Reference       string    `json:"reference"`
	At              time.Time `json:"at"`
	From            string    `json:"from"`
	To              string    `json:"to"`
	Recipients      []string  `json:"recipients,omitempty"`
	Categories      []string  `json:"categories"`
	Fields          []string  `json:"fields,omitempty"`
	Purpose         string    `json:"purpose"`
	ExpectedOutcome string    `json:"expected_outcome"`
	LegalBasis      string    `json:"legal_basis"`
	Consent         string    `json:"consent"`
	ConsentReason   string    `json:"consent_reason,omitempty"`
	Necessity       string    `json:"necessity"`
	By              string    `json:"by"`
	Withheld        bool      `json:"withheld,omitempty"`
	Exemption       string    `json:"exemption,omitempty"`
}

// BundleView is one entry of the access log: a professional who viewed a record.
type BundleView struct {
	Key          string    `json:"key"`
	Reference    string    `json:"reference"`
	At           time.Time `json:"at"`
	Who          string    `json:"who"`
	Organisation string    `json:"organisation"`
	What         string    `json:"what"`
	Purpose      string    `json:"purpose"`
	Withheld     bool      `json:"withheld,omitempty"`
	Exemption    string    `json:"exemption,omitempty"`
}

// BundleRedaction is an item withheld and the exemption relied on; Note (why it applies) is in a draft only.
type BundleRedaction struct {
	Item      string    `json:"item"`
	Exemption string    `json:"exemption"`
	Note      string    `json:"note,omitempty"`
	By        string    `json:"by"`
	At        time.Time `json:"at"`
}

// Bundle is the answer to a subject access request.
type Bundle struct {
	RequestID     prevent.ID         `json:"request_id"`
	PartnershipID prevent.ID         `json:"partnership_id"`
	Requester     string             `json:"requester"`
	Received      time.Time          `json:"received"`
	Due           time.Time          `json:"due"`
	Regime        string             `json:"regime"`
	SubjectID     prevent.ID         `json:"subject_id"`
	Subject       string             `json:"subject"`
	Produced      time.Time          `json:"produced"`
	ProducedBy    string             `json:"produced_by"`
	Draft         bool               `json:"draft"`
	Records       []BundleRecord     `json:"records"`
	Disclosures   []BundleDisclosure `json:"disclosures"`
	Access        []BundleView       `json:"access"`
	Redactions    []BundleRedaction  `json:"redactions"`
	Notes         []string           `json:"notes"`
}

// Items returns every item of the bundle's records, in order (for the redaction step and tests).
func (b Bundle) Items() []BundleItem {
	var out []BundleItem
	for _, r := range b.Records {
		for _, s := range r.Sections {
			out = append(out, s.Items...)
		}
	}
	return out
}

// BundleNotes are said in every bundle.
var BundleNotes = []string{
	"Police deconfliction results and police-only decisions are held by the police and are answered by the police force " +
		"under the Data Protection Act 2018 Part 3; this bundle shows a police handover as police-led management.",
	"Items marked as withheld are not shown; the exemption relied on for each is listed at the end.",
}

// SubjectAccessBundle produces the bundle for a request linked to a subject: for the data protection officer
// only. A draft shows every item, with those marked to withhold flagged, for the redaction step; a final
// bundle (draft false) leaves out the content of withheld items. Producing it is audited: a consultation of
// each record included and an entry on the request.
func (s *Service) SubjectAccessBundle(ctx context.Context, p prevent.Principal, requestID prevent.ID, draft bool) (Bundle, error) {
	var b Bundle
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		r, err := loadRequest(ctx, tx, requestID)
		if err != nil {
			return err
		}
		now := s.now()
		if err := s.authorise(p, access.SubjectAccessManage, "subject_access_request", r.PartnershipID, "Request"); err != nil {
			return err
		}
		if r.SubjectID == 0 {
			return prevent.Errorf(prevent.Conflict, "Choose the person the request is about first")
		}
		bl := &bundler{ctx: ctx, q: tx, names: partnership.NewNames(ctx, tx), gateways: map[string]string{}}
		b = Bundle{RequestID: requestID, PartnershipID: r.PartnershipID, Requester: r.Requester, Received: r.Received, Due: r.Due,
			Regime: string(r.Regime), SubjectID: r.SubjectID, Subject: r.Subject, Produced: now, Draft: draft, Notes: BundleNotes,
			Records: []BundleRecord{}, Disclosures: []BundleDisclosure{}, Access: []BundleView{}, Redactions: []BundleRedaction{}}
		b.ProducedBy = bl.person(p.PersonID)
		recs, err := s.casework.SubjectRecords(ctx, tx, bl.names, r.PartnershipID, r.SubjectID)
		if err != nil {
			return err
		}
		var ids []prevent.ID
		refs := map[prevent.ID]string{}
		var interventions, requests []prevent.ID
		ivRef, rqRef := map[prevent.ID]string{}, map[prevent.ID]string{}
		for _, rec := range recs {
			ids = append(ids, rec.ReferralID)
			refs[rec.ReferralID] = rec.Reference
			for _, iv := range rec.Interventions {
				ivRef[iv] = rec.Reference
			}
			for _, rq := range rec.InformationRequests {
				rqRef[rq] = rec.Reference
			}
			interventions, requests = append(interventions, rec.Interventions...), append(requests, rec.InformationRequests...)
			b.Records = append(b.Records, bundleRecord(rec))
		}
		ds, err := sharing.DisclosuresFor(ctx, tx, "referral", ids)
		if err != nil {
			return err
		}
		for _, d := range ds {
			bd := BundleDisclosure{Key: fmt.Sprintf("disclosure:%d", d.ID), Reference: refs[d.RecordID], At: d.DisclosedAt,
				From: bl.org(d.FromOrg), To: bl.org(d.ToOrg), Fields: d.Fields, Purpose: d.Purpose.String(),
				ExpectedOutcome: d.ExpectedOutcome, LegalBasis: bl.gateway(d.PartnershipID, d.Gateway, d.GatewayVersion),
				Consent: consentText(d.Consent), ConsentReason: d.ConsentReason, Necessity: d.Necessity, By: bl.person(d.DisclosedBy)}
			for _, c := range d.Categories {
				bd.Categories = append(bd.Categories, c.String())
			}
			for _, rp := range d.Recipients {
				bd.Recipients = append(bd.Recipients, bl.person(rp))
			}
			b.Disclosures = append(b.Disclosures, bd)
		}
		for _, k := range []struct {
			kind string
			ids  []prevent.ID
			refs map[prevent.ID]string
		}{{"referral", ids, refs}, {"intervention", interventions, ivRef}, {"information_request", requests, rqRef}} {
			es, err := audit.ForRecords(ctx, tx, k.kind, k.ids)
			if err != nil {
				return err
			}
			for _, e := range es {
				if e.Action != audit.Consult {
					continue
				}
				name, org := bl.personOrg(e.ActorID)
				if e.ActorOrg != 0 {
					org = bl.org(e.ActorOrg)
				}
				b.Access = append(b.Access, BundleView{Key: fmt.Sprintf("view:%d", e.Seq), Reference: k.refs[e.RecordID], At: e.At,
					Who: name, Organisation: org, What: e.Detail, Purpose: e.Purpose})
			}
		}
		slices.SortFunc(b.Access, func(x, y BundleView) int { return x.At.Compare(y.At) })
		if bl.firstErr() != nil {
			return bl.firstErr()
		}
		reds, err := redactions(ctx, tx, requestID)
		if err != nil {
			return err
		}
		withheld := map[string]string{}
		for _, rd := range reds {
			withheld[rd.Item] = rd.Exemption.String()
			br := BundleRedaction{Item: rd.Item, Exemption: rd.Exemption.String(), By: bl.person(rd.RecordedBy), At: rd.RecordedAt}
			if draft {
				// The reason is the data protection officer's working note: it may itself describe what is
				// withheld, so only the draft shows it.
				br.Note = rd.Note
			}
			b.Redactions = append(b.Redactions, br)
		}
		b.redact(withheld, !draft)
		if bl.firstErr() != nil {
			return bl.firstErr()
		}
		detail := "subject access bundle"
		if draft {
			detail = "subject access bundle reviewed for redaction"
		}
		for _, id := range ids {
			if err := s.casework.AuditCase(ctx, tx, p, audit.Consult, id, r.PartnershipID, fmt.Sprintf("%s (request %d)", detail, requestID)); err != nil {
				return err
			}
		}
		return s.record(ctx, tx, p, audit.Consult, "subject_access_request", requestID, r.PartnershipID, "subject access",
			fmt.Sprintf("%s: %d records, %d disclosures, %d views, %d items withheld", detail, len(ids), len(b.Disclosures), len(b.Access), len(reds)))
	})
	if err != nil {
		return Bundle{}, err
	}
	return b, nil
}

// redact flags every item whose key is in withheld with its exemption and, when clear is set, empties it.
func (b *Bundle) redact(withheld map[string]string, clear bool) {
	for i := range b.Records {
		for j := range b.Records[i].Sections {
			items := b.Records[i].Sections[j].Items
			for k := range items {
				if ex, ok := withheld[items[k].Key]; ok {
					items[k].Withheld, items[k].Exemption = true, ex
					if clear {
						items[k].Value, items[k].By = "", ""
					}
				}
			}
		}
	}
	for i, d := range b.Disclosures {
		if ex, ok := withheld[d.Key]; ok {
			if clear {
				d = BundleDisclosure{Key: d.Key, Reference: d.Reference, At: d.At}
			}
			d.Withheld, d.Exemption = true, ex
			b.Disclosures[i] = d
		}
	}
	for i, v := range b.Access {
		if ex, ok := withheld[v.Key]; ok {
			if clear {
				v = BundleView{Key: v.Key, Reference: v.Reference, At: v.At}
			}
			v.Withheld, v.Exemption = true, ex
			b.Access[i] = v
		}
	}
}

func consentText(c sharing.Consent) string {
	switch c {
	case sharing.ConsentGiven:
		return "Given"
	case sharing.ConsentRefused:
		return "Refused"
	case sharing.ConsentNotSought:
		return "Not sought"
	}
	return string(c)
}

// bundleRecord is casework's record of the person as the bundle shows it.
func bundleRecord(rec casework.SubjectRecord) BundleRecord {
	out := BundleRecord{ReferralID: rec.ReferralID, Reference: rec.Reference, Stage: rec.Stage, ReferredBy: rec.ReferredBy,
		SubmittedAt: rec.SubmittedAt}
	for _, sc := range rec.Sections {
		bs := BundleSection{Title: sc.Title}
		for _, it := range sc.Items {
			bs.Items = append(bs.Items, BundleItem{Key: it.Key, Label: it.Label, Value: it.Value, At: it.At, By: it.By})
		}
		out.Sections = append(out.Sections, bs)
	}
	return out
}

// bundler names the people, organisations and gateways of a bundle through its transaction, each once. The
// first error is kept.
type bundler struct {
	ctx      context.Context
	q        database.Querier
	names    *partnership.Names
	gateways map[string]string
	err      error
}

// firstErr is the first error met, in the gateways or in the names.
func (bl *bundler) firstErr() error {
	if bl.err != nil {
		return bl.err
	}
	return bl.names.Err()
}

func (bl *bundler) personOrg(id prevent.ID) (string, string) { return bl.names.PersonOrg(id) }

func (bl *bundler) person(id prevent.ID) string { return bl.names.Person(id) }

func (bl *bundler) org(id prevent.ID) string { return bl.names.Organisation(id) }

// gateway names the version of a gateway a disclosure relied on, or gives its code.
func (bl *bundler) gateway(partnershipID prevent.ID, code string, version int) string {
	k := fmt.Sprintf("%d\x00%s\x00%d", partnershipID, code, version)
	if l, ok := bl.gateways[k]; ok {
		return l
	}
	l, err := sharing.GatewayName(bl.ctx, bl.q, partnershipID, code, version)
	if err != nil && bl.err == nil {
		bl.err = fmt.Errorf("rights: bundle: %w", err)
	}
	bl.gateways[k] = l
	return l
}

// JSON encodes the bundle for download.
func (b Bundle) JSON() ([]byte, error) { return json.MarshalIndent(b, "", "  ") }

package export

import (
	"errors"
	"fmt"
	"time"

	"casebook/app"
)

// OwedUpdate is the status update one party is owed.
type OwedUpdate struct {
	Code, Party string
	Update      *PartyUpdate
}

// WithheldNote says that n shared texts of the update named for what
// were withheld whole, and what to do; "" when n is 0.
func WithheldNote(what string, n int) string {
	switch n {
	case 0:
		return ""
	case 1:
		return what + ": 1 shared text is given as " + Withheld + ", as it names the reporter (a name alone, or written otherwise); share what the party needs in a text that names no one."
	}
	return fmt.Sprintf("%s: %d shared texts are given as %s, as they name the reporter (a name alone, or written otherwise); share what the party needs in texts that name no one.", what, n, Withheld)
}

// FileName is the update's file name: CODE-PARTY.pdf.
func (o OwedUpdate) FileName() string { return o.Code + "-" + o.Party + ".pdf" }

// OwedUpdates builds the update of every party owed one on or before the
// day of asOf, in case and party order. Cases the member may not see are
// left out.
func OwedUpdates(s *app.Store, asOf time.Time, opts UpdateOptions) ([]OwedUpdate, error) {
	var out []OwedUpdate
	cfg := s.Config()
	day := cfg.StartOfDay(asOf)
	for _, sum := range s.List("") {
		k, err := s.Case(sum.Code)
		if errors.Is(err, app.ErrExcluded) {
			continue
		}
		if err != nil {
			return nil, err
		}
		var msgs []*app.Message
		for _, u := range k.UpdatesOwed(cfg) {
			if cfg.StartOfDay(u.Due).After(day) {
				continue
			}
			if msgs == nil {
				if msgs, err = s.Messages(k.Code); err != nil {
					return nil, err
				}
			}
			pu, err := BuildPartyUpdate(k, msgs, u.PartyID, cfg, opts, asOf)
			if err != nil {
				return nil, err
			}
			out = append(out, OwedUpdate{Code: k.Code, Party: u.PartyID, Update: pu})
		}
	}
	return out, nil
}

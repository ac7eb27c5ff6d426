package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/mail"
	"slices"
	"strings"

	"casebook/vault"
)

// Correspondence by e-mail in the store: messages imported with their
// attachments, drafts recorded as pending outgoing messages, and drafts
// marked as sent. An attachment is kept sealed in its case's namespace
// under "att.<id>", beside the message that carried it, so that
// destroying the case destroys it; it leaves the vault only through
// Store.Attachment, when a member saves it to a file.

// attKeyPre prefixes the vault keys of attachments in a case's namespace.
const attKeyPre = "att."

// ErrDuplicate means a message was imported into the case before: it has
// the same Message-ID, or, without one, the same bytes. It is wrapped in
// a *DuplicateError that names the earlier message.
var ErrDuplicate = errors.New("the message was imported already")

// DuplicateError names the message an import would have duplicated.
type DuplicateError struct {
	// MessageID is the ID of the message already in the case ("msg4").
	MessageID string
	// Draft is set when that message is a draft Casebook wrote, whose
	// sent copy kept its Message-ID.
	Draft bool
}

func (e *DuplicateError) Error() string {
	if e.Draft {
		return "it is the draft " + e.MessageID
	}
	return "already imported as " + e.MessageID
}

// Is makes a *DuplicateError match ErrDuplicate.
func (e *DuplicateError) Is(target error) bool { return target == ErrDuplicate }

// ErrAttachmentTooLarge means a message carries an attachment over the
// committee's limit (Config.MaxAttachmentMiB); nothing of the message was
// stored. It is wrapped in an *AttachmentTooLargeError.
var ErrAttachmentTooLarge = errors.New("an attachment is over the size limit")

// AttachmentTooLargeError says which attachment is too large.
type AttachmentTooLargeError struct {
	// Index counts from 1 among Count attachments.
	Index, Count int
	// Name is the attachment's file name. It is case content: Error
	// leaves it out, and only a screen for the committee may show it.
	Name        string
	Size, Limit int64
}

func (e *AttachmentTooLargeError) Error() string {
	return fmt.Sprintf("attachment %d of %d is %s, over the limit of %s", e.Index, e.Count, FormatSize(e.Size), FormatSize(e.Limit))
}

// Is makes an *AttachmentTooLargeError match ErrAttachmentTooLarge.
func (e *AttachmentTooLargeError) Is(target error) bool { return target == ErrAttachmentTooLarge }

// ErrUnknownSender means Casebook cannot tell which party a message is
// from: its sender's address is no party's contact, or is more than
// one's. Name the party and import again. It is wrapped in an
// *UnknownSenderError that lists the parties to choose from.
var ErrUnknownSender = errors.New("cannot tell which party the message is from")

// UnknownSenderError lists the parties a message could be from.
type UnknownSenderError struct {
	// Sent is set for a message a member sent (its sender is on the
	// roster): it is a recipient that matched no party, or several.
	Sent bool
	// Matches are the IDs of the parties the address belongs to, when
	// there are several; empty when the address is no party's.
	Matches []string
	// Parties are every party of the case, to choose from.
	Parties []PartyChoice
}

// PartyChoice is a party as a person chooses among them. Name is case
// content: it is for the committee's screen, never for error text.
type PartyChoice struct {
	ID   string `json:"id"`
	Role Role   `json:"role"`
	Name string `json:"name"`
}

func (e *UnknownSenderError) Error() string {
	ask := "say which party the message is from"
	if e.Sent {
		ask = "say which party the message was sent to"
	}
	if len(e.Matches) > 1 {
		return fmt.Sprintf("the address is the contact of more than one party (%s); %s", strings.Join(e.Matches, ", "), ask)
	}
	ids := make([]string, len(e.Parties))
	for i, p := range e.Parties {
		ids[i] = fmt.Sprintf("%s (%s)", p.ID, p.Role)
	}
	who := "the sender's address is no party's contact"
	if e.Sent {
		who = "no recipient's address is a party's contact"
	}
	return fmt.Sprintf("%s; %s: %s", who, ask, strings.Join(ids, ", "))
}

// Is makes an *UnknownSenderError match ErrUnknownSender.
func (e *UnknownSenderError) Is(target error) bool { return target == ErrUnknownSender }

// ErrNoAttachment means a case has no attachment with the ID given.
var ErrNoAttachment = errors.New("no such attachment in the case")

// FormatSize writes a size in bytes for people: "512 bytes", "14.2 KiB",
// "3.0 MiB".
func FormatSize(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d bytes", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

// ImportMail stores an e-mail message in the case with the code name
// code, with its attachments, all in one atomic write. The party is
// partyID or, when that is empty, the party whose contact holds the
// sender's address (case ignored). A message sent by a member of the
// committee (its sender is a member's contact and no party's) is stored
// as outgoing, to the party among its recipients. The message keeps its
// own date (the time of import when it has none), subject, text,
// Message-ID and the defects the parser worked around; it is committee
// only, like every new item.
//
// Nothing is stored, and the error says why, when the message was
// imported before (ErrDuplicate, with the earlier message's ID), when an
// attachment is over Config.MaxAttachmentMiB (ErrAttachmentTooLarge), or
// when the party cannot be told (ErrUnknownSender, listing the parties to
// choose from).
func (s *Store) ImportMail(code string, m *Mail, partyID string) (*Message, error) {
	if m == nil {
		return nil, fmt.Errorf("%w: no message to import", ErrInvalid)
	}
	var out *Message
	_, err := s.changeMail(code, func(c *Case, ctx Context, prior []*Message) (*mailChange, error) {
		for _, p := range prior {
			if (m.MessageID != "" && p.MessageID == m.MessageID) || (m.MessageID == "" && m.Digest != "" && p.MessageID == "" && p.Digest == m.Digest) {
				return nil, &DuplicateError{MessageID: p.ID, Draft: p.Kind != ""}
			}
		}
		limit := ctx.Config.MaxAttachmentBytes()
		for i, a := range m.Attachments {
			if int64(len(a.Data)) > limit {
				return nil, &AttachmentTooLargeError{Index: i + 1, Count: len(m.Attachments), Name: a.Name, Size: int64(len(a.Data)), Limit: limit}
			}
		}
		party, dir, err := mailParty(c, ctx.Roster, m, partyID)
		if err != nil {
			return nil, err
		}
		msg := &Message{
			ID: c.nextID("msg"), At: m.Date, PartyID: party, Direction: dir, Channel: ChannelEmail,
			Subject: m.Subject, Text: m.Text, MessageID: m.MessageID, Digest: m.Digest,
			From: formatAddress(m.From), To: formatAddresses(append(slices.Clone(m.To), m.Cc...)),
		}
		if msg.At.IsZero() {
			msg.At = ctx.Now
			msg.Defects = append(msg.Defects, "The message has no readable date; the time of import is used.")
		}
		if m.TextFromHTML {
			msg.Defects = append(msg.Defects, "The message had only HTML; its text was made from it.")
		}
		for _, d := range m.Defects {
			msg.Defects = append(msg.Defects, d.String())
		}
		ch := &mailChange{msgs: []*Message{msg}, added: 1, blobs: map[string][]byte{}}
		for _, a := range m.Attachments {
			ref := AttachmentRef{ID: c.nextID("a"), Name: a.Name, Type: a.Type, Size: int64(len(a.Data)), Inline: a.Inline}
			msg.Attachments = append(msg.Attachments, ref)
			ch.blobs[attKeyPre+ref.ID] = a.Data
		}
		out = msg
		return ch, nil
	})
	if err != nil {
		return nil, err
	}
	return clone(out), nil
}

// mailParty finds the party a message is from (or, for one a member
// sent, to) and its direction.
func mailParty(c *Case, roster *Roster, m *Mail, partyID string) (string, Direction, error) {
	senderParties := partiesWithAddress(c, m.From.Address)
	fromMember := len(senderParties) == 0 && isMemberAddress(roster, m.From.Address)
	dir := In
	if fromMember {
		dir = Out
	}
	if partyID != "" {
		if c.Party(partyID) == nil {
			return "", "", fmt.Errorf("%w: the case has no party %q", ErrInvalid, partyID)
		}
		return partyID, dir, nil
	}
	matches := senderParties
	if fromMember {
		seen := map[string]bool{}
		matches = nil
		for _, a := range append(slices.Clone(m.To), m.Cc...) {
			for _, p := range partiesWithAddress(c, a.Address) {
				if !seen[p.ID] {
					seen[p.ID] = true
					matches = append(matches, p)
				}
			}
		}
	}
	if len(matches) == 1 {
		return matches[0].ID, dir, nil
	}
	e := &UnknownSenderError{Sent: fromMember}
	if len(matches) > 1 {
		for _, p := range matches {
			e.Matches = append(e.Matches, p.ID)
		}
	}
	for _, p := range c.Parties {
		e.Parties = append(e.Parties, PartyChoice{ID: p.ID, Role: p.Role, Name: p.DisplayName()})
	}
	return "", "", e
}

// partiesWithAddress returns the parties whose contact holds addr.
func partiesWithAddress(c *Case, addr string) []*Party {
	var out []*Party
	for _, p := range c.Parties {
		if slices.ContainsFunc(ContactAddresses(p.Contact), func(a string) bool { return sameAddress(a, addr) }) {
			out = append(out, p)
		}
	}
	return out
}

// isMemberAddress reports whether addr is a committee member's.
func isMemberAddress(r *Roster, addr string) bool {
	if r == nil {
		return false
	}
	for _, m := range r.Members {
		if slices.ContainsFunc(ContactAddresses(m.Contact), func(a string) bool { return sameAddress(a, addr) }) {
			return true
		}
	}
	return false
}

func formatAddress(a mail.Address) string {
	switch {
	case a.Address == "":
		return a.Name
	case a.Name == "":
		return a.Address
	}
	return a.Name + " <" + a.Address + ">"
}

func formatAddresses(list []mail.Address) string {
	out := make([]string, 0, len(list))
	for _, a := range list {
		if s := formatAddress(a); s != "" {
			out = append(out, s)
		}
	}
	return strings.Join(out, ", ")
}

// Attachment returns an attachment of the case with the code name code,
// and its bytes: to be written only to a file the member chose.
func (s *Store) Attachment(code, id string) (AttachmentRef, []byte, error) {
	s.mu.RLock()
	c, err := s.lookup(code)
	excluded := err == nil && s.excludedLocked(c)
	s.mu.RUnlock()
	if err != nil {
		return AttachmentRef{}, nil, err
	}
	if excluded {
		return AttachmentRef{}, nil, s.excludedErrLocked(c)
	}
	msgs, err := s.readMessages(c.ID)
	if err != nil {
		return AttachmentRef{}, nil, err
	}
	id = strings.ToLower(strings.TrimSpace(id))
	for _, m := range msgs {
		for _, ref := range m.Attachments {
			if ref.ID != id {
				continue
			}
			data, err := s.st.Get(caseNS(c.ID), attKeyPre+ref.ID)
			if errors.Is(err, vault.ErrNotFound) {
				return AttachmentRef{}, nil, &vault.CorruptError{Record: caseNS(c.ID) + "/" + attKeyPre + ref.ID, Err: errors.New("attachment missing")}
			}
			if err != nil {
				return AttachmentRef{}, nil, err
			}
			return ref, data, nil
		}
	}
	return AttachmentRef{}, nil, fmt.Errorf("%w: %q", ErrNoAttachment, id)
}

// AddDraft records a letter as an e-mail drafted to its party and not
// sent yet: a pending outgoing message, committee only, with messageID
// the Message-ID of the draft file. Store.MarkSent marks it as sent.
func (s *Store) AddDraft(code string, l *Letter, messageID string) (*Message, error) {
	if l == nil {
		return nil, fmt.Errorf("%w: no letter to record", ErrInvalid)
	}
	if _, err := ParseTemplateKind(string(l.Kind)); err != nil {
		return nil, err
	}
	var out *Message
	_, err := s.changeMail(code, func(c *Case, ctx Context, _ []*Message) (*mailChange, error) {
		if c.Party(l.PartyID) == nil {
			return nil, fmt.Errorf("%w: the case has no party %q", ErrInvalid, l.PartyID)
		}
		if strings.TrimSpace(l.Body) == "" {
			return nil, fmt.Errorf("%w: a letter needs text", ErrInvalid)
		}
		to := l.To
		if l.ToName != "" && to != "" {
			to = formatAddress(mail.Address{Name: l.ToName, Address: l.To})
		}
		out = &Message{
			ID: c.nextID("msg"), At: ctx.Now, DraftedAt: ctx.Now, PartyID: l.PartyID, Direction: Out, Channel: ChannelEmail,
			Subject: l.Subject, Text: l.Body, Pending: true, StatusUpdate: l.Kind == KindStatusUpdate, Kind: l.Kind,
			MessageID: cleanMessageID(messageID), From: l.From, To: to,
		}
		return &mailChange{msgs: []*Message{out}, added: 1}, nil
	})
	if err != nil {
		return nil, err
	}
	return clone(out), nil
}

// Sent is what marking a draft as sent did.
type Sent struct {
	Message *Message
	// Step is the step of the process that sending the letter took (see
	// TemplateKind.Step), or "" when it took none.
	Step Action
	// NotTaken says why the letter's step could not be taken now, when
	// it could not; the message is marked as sent all the same, and the
	// step can be taken later with its own command.
	NotTaken string
}

// MarkSent marks the pending draft messageID of the case as sent now. It
// also takes the step of the process that the letter's sending is, when
// that step is allowed now, in the same write: a status update counts as
// the party's update for the due list (like `report updates`), an
// acknowledgement acknowledges, outreach records the party as contacted,
// an outcome letter records the party as told, and a request for
// information to the reporter is recorded as one.
func (s *Store) MarkSent(code, messageID string) (*Sent, error) {
	res := &Sent{}
	_, err := s.changeMail(code, func(c *Case, ctx Context, prior []*Message) (*mailChange, error) {
		var m *Message
		for _, p := range prior {
			if p.ID == strings.ToLower(strings.TrimSpace(messageID)) {
				m = p
			}
		}
		if m == nil {
			return nil, fmt.Errorf("%w: the case has no message %q", ErrInvalid, messageID)
		}
		if !m.Pending {
			return nil, fmt.Errorf("%w: message %s is not a draft waiting to be sent", ErrInvalid, m.ID)
		}
		m.Pending = false
		if m.DraftedAt.IsZero() {
			m.DraftedAt = m.At
		}
		m.At = ctx.Now
		step := Step{Action: m.Kind.Step(), Party: m.PartyID}
		if m.StatusUpdate && step.Action == "" {
			step.Action = ActStatusUpdate
		}
		if step.Action == ActRequestInfo && c.Party(m.PartyID) != nil && c.Party(m.PartyID).Role != RoleReporter {
			step.Action = "" // the step records a request to the reporter only
		}
		if step.Action != "" {
			if err := c.Apply(step, ctx); err != nil {
				var na *NotAllowedError
				if !errors.As(err, &na) {
					return nil, err
				}
				res.NotTaken = na.Reason
			} else {
				res.Step = step.Action
			}
		}
		res.Message = m
		return &mailChange{msgs: []*Message{m}}, nil
	})
	if err != nil {
		return nil, err
	}
	res.Message = clone(res.Message)
	return res, nil
}

// mailChange is what a change to a case's correspondence writes besides
// the case: messages (new or changed, the first added of them new) and
// other records of the case's namespace, by key.
type mailChange struct {
	msgs  []*Message
	added int
	blobs map[string][]byte
}

// changeMail applies fn to a copy of a case, given its messages, and
// writes the case and what fn returns in one atomic change; if fn or the
// write fails, nothing changes. It is Store.modify for changes that read
// or rewrite messages, or write attachments.
func (s *Store) changeMail(code string, fn func(c *Case, ctx Context, msgs []*Message) (*mailChange, error)) (*Case, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, err := s.lookup(code)
	if err != nil {
		return nil, err
	}
	if s.excludedLocked(cur) {
		return nil, s.excludedErrLocked(cur)
	}
	prior, err := s.readMessages(cur.ID)
	if err != nil {
		return nil, err
	}
	c, err := s.wholeLocked(cur.ID)
	if err != nil {
		return nil, err
	}
	ch, err := fn(c, s.contextLocked(), prior)
	if err != nil {
		return nil, err
	}
	ns := caseNS(c.ID)
	// A message whose attachments are more than one write holds (many
	// small pictures: one over 64 KiB counts a few bytes) has its
	// attachments written first, in as many writes as they take. Until
	// the message is written they are listed nowhere; if it never is,
	// they go with the case when it is expunged (and an attachment given
	// the same ID, as the same message imported again with nothing added
	// meanwhile gives them, writes over one).
	caseBytes, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	rest := vault.PutCost(ns, caseKey, len(caseBytes))
	msgBytes := make([][]byte, len(ch.msgs))
	for i, m := range ch.msgs {
		if msgBytes[i], err = json.Marshal(m); err != nil {
			return nil, err
		}
		rest += vault.PutCost(ns, msgKeyPre+m.ID, len(msgBytes[i]))
	}
	for i, part := range writeParts(ns, ch.blobs, rest, func(string) bool { return true }) {
		err := s.st.Update(func(tx *vault.Tx) error {
			for _, k := range part {
				if err := tx.Put(ns, k, ch.blobs[k]); err != nil {
					return err
				}
			}
			tx.Record("mail.part", fmt.Sprintf("%s: attachments, part %d", ns, i+1))
			return nil
		})
		if err != nil {
			return nil, err
		}
		for _, k := range part {
			delete(ch.blobs, k)
		}
	}
	err = s.st.Update(func(tx *vault.Tx) error {
		if err := tx.Put(ns, caseKey, caseBytes); err != nil {
			return err
		}
		for i, m := range ch.msgs {
			if err := tx.Put(ns, msgKeyPre+m.ID, msgBytes[i]); err != nil {
				return err
			}
		}
		for _, k := range slices.Sorted(maps.Keys(ch.blobs)) {
			if err := tx.Put(ns, k, ch.blobs[k]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	old := s.cases[c.ID]
	s.cases[c.ID] = leanCase(c)
	s.msgs[c.ID] += ch.added
	s.caseChangedLocked(old, s.cases[c.ID])
	s.reindexLocked(c, ch.msgs)
	return clone(c), nil
}

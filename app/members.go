package app

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Member is a member of the committee.
type Member struct {
	// ID is a short stable identifier, such as "m1".
	ID      string `json:"id"`
	Name    string `json:"name"`
	Contact string `json:"contact,omitempty"`
	Active  bool   `json:"active"`
	// Key is the member's public keys, from their key line (see
	// ParseMemberKey); nil until recorded. Bundles go only to members
	// with keys, and come only from them.
	Key *MemberKey `json:"key,omitempty"`
}

// Roster is the committee and which member uses this vault.
type Roster struct {
	Members []*Member `json:"members"`
	// Me is the ID of the member whose laptop this is.
	Me  string `json:"me,omitempty"`
	Seq int    `json:"seq"`
}

// Member returns the member with the given ID, or nil. A nil roster has
// no members.
func (r *Roster) Member(id string) *Member {
	if r == nil {
		return nil
	}
	for _, m := range r.Members {
		if m.ID == id {
			return m
		}
	}
	return nil
}

// Find returns the member named by an ID or, case-insensitively, a name.
func (r *Roster) Find(idOrName string) *Member {
	if m := r.Member(idOrName); m != nil {
		return m
	}
	if r == nil {
		return nil
	}
	for _, m := range r.Members {
		if strings.EqualFold(m.Name, strings.TrimSpace(idOrName)) {
			return m
		}
	}
	return nil
}

// resolveIntakeMembers returns in with the member ID of each person it
// marks as a committee member set to that member's on the roster, or a
// problem for each it cannot tell: a report about a member must shut out
// the right one, and an ID written "M2" or a name written "Blair Sample
// (treasurer)" would shut out nobody. A member ID is found as it is, in
// another case, or as a member's name; a person without one by their
// name, in any case and with or without accents. in itself is not
// changed.
func (r *Roster) resolveIntakeMembers(in *Intake) (*Intake, []Problem) {
	var ps []Problem
	out := *in
	out.People = slices.Clone(in.People)
	for i := range out.People {
		ip := &out.People[i]
		if !ip.CommitteeMember {
			continue
		}
		at := fmt.Sprintf("people[%d].", i)
		if id := strings.TrimSpace(ip.MemberID); id != "" {
			switch m := r.memberByID(id); {
			case m == nil:
				ps = append(ps, Problem{Path: at + "member_id", Message: "no member of the committee has this ID (casebook member list shows them)"})
			case !nameFits(ip.Name, m.Name):
				ps = append(ps, Problem{Path: at + "member_id", Message: "this is the ID of a member with another name: check which member the report names"})
			default:
				ip.MemberID = m.ID
			}
			continue
		}
		if m := r.memberByName(ip.Name); m != nil {
			ip.MemberID = m.ID
		} else {
			ps = append(ps, Problem{Path: at + "name", Message: "marked as a committee member, but no one member of the committee has this name: write it as the roster has it, or do not mark them as a committee member"})
		}
	}
	return &out, ps
}

// nameFits reports whether name, given for a member, may be theirs:
// empty, or each of its words the start of one of the member's name's
// words, in order ("Blair S." and "B. Sample" fit "Blair Sample"),
// without regard to case or accents.
func nameFits(name, memberName string) bool {
	given, words := Tokens(name), Tokens(memberName)
	j := 0
	for _, g := range given {
		for j < len(words) && !strings.HasPrefix(words[j], g) {
			j++
		}
		if j == len(words) {
			return false
		}
		j++
	}
	return true
}

// memberByID finds a member by ID, in any case, or by name.
func (r *Roster) memberByID(id string) *Member {
	if m := r.Member(id); m != nil {
		return m
	}
	if r == nil {
		return nil
	}
	for _, m := range r.Members {
		if strings.EqualFold(m.ID, id) {
			return m
		}
	}
	return r.memberByName(id)
}

// memberByName finds the one member of that name, in any case and with or
// without accents; nil if none, or more than one.
func (r *Roster) memberByName(name string) *Member {
	if r == nil || strings.TrimSpace(name) == "" {
		return nil
	}
	want := strings.Join(Tokens(name), " ")
	var found *Member
	for _, m := range r.Members {
		if strings.Join(Tokens(m.Name), " ") == want {
			if found != nil {
				return nil
			}
			found = m
		}
	}
	return found
}

// Add adds a member and returns it.
func (r *Roster) Add(name, contact string) (*Member, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return nil, fmt.Errorf("%w: a member needs a name", ErrInvalid)
	}
	if r.Find(name) != nil {
		return nil, fmt.Errorf("%w: the committee already has a member called that", ErrInvalid)
	}
	r.Seq++
	m := &Member{ID: fmt.Sprintf("m%d", r.Seq), Name: name, Contact: strings.TrimSpace(contact), Active: true}
	r.Members = append(r.Members, m)
	return m, nil
}

// Active returns the active members.
func (r *Roster) Active() []*Member {
	if r == nil {
		return nil
	}
	return slices.DeleteFunc(slices.Clone(r.Members), func(m *Member) bool { return !m.Active })
}

// Readers lists the active members who may see a case: everyone without
// a hard conflict. The reporter is told these names when acknowledged.
func (r *Roster) Readers(c *Case) []*Member {
	return slices.DeleteFunc(r.Active(), func(m *Member) bool { return c.Excluded(m.ID) })
}

// excludeReportedMembers shuts out of a case every member the report is
// about: a report about a sitting committee member excludes that member
// automatically.
func excludeReportedMembers(c *Case, at time.Time) {
	for _, p := range c.Parties {
		if p.MemberID == "" || p.Role != RoleReported || c.Excluded(p.MemberID) {
			continue
		}
		c.Conflicts = append(c.Conflicts, &Conflict{MemberID: p.MemberID, Kind: HardConflict,
			Reason: "the report is about this member", At: at, Automatic: true})
	}
}

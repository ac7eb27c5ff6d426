package app

import (
	"errors"
	"slices"
	"testing"
)

func TestRosterAdd(t *testing.T) {
	r := testRoster(t)
	tests := []struct {
		name, add string
		wantErr   bool
		wantID    string
	}{
		{"new member", "Emery Invented", false, "m5"},
		{"same name", "Alex Example", true, ""},
		{"same name, other case", "aLEX eXAMPLE", true, ""},
		{"same name, spaces around", "  Blair Sample\t", true, ""},
		{"empty", "", true, ""},
		{"blank", "   ", true, ""},
		{"another new member", "Finley Madeup", false, "m6"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := mustJSON(t, r)
			m, err := r.Add(tt.add, "someone@example.org")
			if tt.wantErr {
				if !errors.Is(err, ErrInvalid) {
					t.Errorf("Add(%q): got %v, want ErrInvalid", tt.add, err)
				}
				if after := mustJSON(t, r); after != before {
					t.Errorf("a refused Add changed the roster: got %s, want %s", after, before)
				}
				return
			}
			if err != nil {
				t.Fatalf("Add(%q): %v", tt.add, err)
			}
			if m.ID != tt.wantID || !m.Active || r.Member(tt.wantID) != m {
				t.Errorf("Add(%q): got %+v, want active member %s on the roster", tt.add, *m, tt.wantID)
			}
		})
	}
}

func TestRosterFind(t *testing.T) {
	r := testRoster(t)
	tests := []struct {
		query, want string
	}{
		{"m2", "m2"},
		{"Blair Sample", "m2"},
		{"blair sample", "m2"},
		{"BLAIR SAMPLE", "m2"},
		{"  Casey Placeholder ", "m3"},
		{"Blair", ""},
		{"m9", ""},
		{"", ""},
	}
	for _, tt := range tests {
		got := r.Find(tt.query)
		switch {
		case tt.want == "" && got != nil:
			t.Errorf("Find(%q): got %s, want none", tt.query, got.ID)
		case tt.want != "" && (got == nil || got.ID != tt.want):
			t.Errorf("Find(%q): got %v, want %s", tt.query, got, tt.want)
		}
	}
	var none *Roster
	if none.Find("m1") != nil || none.Member("m1") != nil || none.Active() != nil {
		t.Errorf("a nil roster: got a member, want none")
	}
}

func TestRosterReaders(t *testing.T) {
	tests := []struct {
		name string
		edit func(r *Roster, c *Case)
		want []string
	}{
		{"everyone", func(*Roster, *Case) {}, []string{"m1", "m2", "m3", "m4"}},
		{"hard conflict", func(_ *Roster, c *Case) {
			c.Conflicts = append(c.Conflicts, &Conflict{MemberID: "m2", Kind: HardConflict})
		}, []string{"m1", "m3", "m4"}},
		{"soft conflict", func(_ *Roster, c *Case) {
			c.Conflicts = append(c.Conflicts, &Conflict{MemberID: "m2", Kind: SoftConflict})
		}, []string{"m1", "m2", "m3", "m4"}},
		{"former member", func(r *Roster, _ *Case) { r.Member("m3").Active = false }, []string{"m1", "m2", "m4"}},
		{"reported member", func(_ *Roster, c *Case) {
			c.Party("p2").MemberID = "m4"
			excludeReportedMembers(c, caseReceived)
		}, []string{"m1", "m2", "m3"}},
		{"all of them", func(r *Roster, c *Case) {
			r.Member("m1").Active = false
			c.Conflicts = append(c.Conflicts, &Conflict{MemberID: "m2", Kind: HardConflict}, &Conflict{MemberID: "m3", Kind: SoftConflict})
		}, []string{"m3", "m4"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, c := testRoster(t), newTestCase(caseReceived)
			tt.edit(r, c)
			var got []string
			for _, m := range r.Readers(c) {
				got = append(got, m.ID)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Readers: got %v, want %v", got, tt.want)
			}
			if len(r.Members) != 4 {
				t.Errorf("Readers changed the roster: got %d members, want 4", len(r.Members))
			}
		})
	}
}

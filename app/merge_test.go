package app

import "testing"

func mustDecode(t *testing.T, s string) any {
	t.Helper()
	if s == "" {
		return absent
	}
	v, err := decodeValue([]byte(s))
	if err != nil {
		t.Fatalf("decode %s: %v", s, err)
	}
	return v
}

func TestMerge(t *testing.T) {
	tests := []struct {
		name               string
		base, mine, theirs string // JSON; "" is absent
		want               string
		conflicts, taken   int
		conflictAt         string
	}{
		{name: "nobody changed", base: `{"a":1}`, mine: `{"a":1}`, theirs: `{"a":1}`, want: `{"a":1}`},
		{name: "theirs changed", base: `{"a":1,"b":1}`, mine: `{"a":1,"b":1}`, theirs: `{"a":2,"b":1}`, want: `{"a":2,"b":1}`, taken: 1},
		{name: "mine changed", base: `{"a":1}`, mine: `{"a":2}`, theirs: `{"a":1}`, want: `{"a":2}`},
		{name: "both alike", base: `{"a":1}`, mine: `{"a":2}`, theirs: `{"a":2}`, want: `{"a":2}`},
		{name: "different fields", base: `{"a":1,"b":1}`, mine: `{"a":2,"b":1}`, theirs: `{"a":1,"b":3}`, want: `{"a":2,"b":3}`, taken: 1},
		{name: "same field", base: `{"a":1,"b":1}`, mine: `{"a":2,"b":1}`, theirs: `{"a":3,"b":1}`, want: `{"a":2,"b":1}`, conflicts: 1, conflictAt: "a"},
		{name: "added on both sides, differently", base: `{}`, mine: `{"a":"x"}`, theirs: `{"a":"y"}`, want: `{"a":"x"}`, conflicts: 1, conflictAt: "a"},
		{name: "removed on one side", base: `{"a":1,"b":1}`, mine: `{"b":1}`, theirs: `{"a":1,"b":2}`, want: `{"b":2}`, taken: 1},
		{name: "removed and changed", base: `{"a":1}`, mine: `{}`, theirs: `{"a":2}`, want: `{}`, conflicts: 1, conflictAt: "a"},
		{name: "nested", base: `{"o":{"x":1,"y":1}}`, mine: `{"o":{"x":2,"y":1}}`, theirs: `{"o":{"x":1,"y":2}}`, want: `{"o":{"x":2,"y":2}}`, taken: 1},
		{name: "map of ballots", base: `{"ballots":{}}`, mine: `{"ballots":{"m1":"for"}}`, theirs: `{"ballots":{"m2":"against"}}`,
			want: `{"ballots":{"m1":"for","m2":"against"}}`, taken: 1},
		{
			name:   "items by ID",
			base:   `{"l":[{"id":"p1","v":1},{"id":"p2","v":1}]}`,
			mine:   `{"l":[{"id":"p1","v":2},{"id":"p2","v":1},{"id":"p3","v":1}]}`,
			theirs: `{"l":[{"id":"p1","v":1},{"id":"p2","v":5},{"id":"p4","v":1}]}`,
			want:   `{"l":[{"id":"p1","v":2},{"id":"p2","v":5},{"id":"p3","v":1},{"id":"p4","v":1}]}`, taken: 2,
		},
		{
			name:   "the same item field on both sides",
			base:   `{"l":[{"id":"p1","v":1}]}`,
			mine:   `{"l":[{"id":"p1","v":2}]}`,
			theirs: `{"l":[{"id":"p1","v":3}]}`,
			want:   `{"l":[{"id":"p1","v":2}]}`, conflicts: 1, conflictAt: "l[p1].v",
		},
		{
			name:   "an item removed on one side",
			base:   `{"l":[{"id":"p1"},{"id":"p2"}]}`,
			mine:   `{"l":[{"id":"p1"},{"id":"p2"}]}`,
			theirs: `{"l":[{"id":"p1"}]}`,
			want:   `{"l":[{"id":"p1"}]}`, taken: 1,
		},
		{
			name:   "history as a set in time order",
			base:   `{"h":[{"at":"2026-01-01T10:00:00Z","a":"x"}]}`,
			mine:   `{"h":[{"at":"2026-01-01T10:00:00Z","a":"x"},{"at":"2026-01-03T10:00:00Z","a":"m"}]}`,
			theirs: `{"h":[{"at":"2026-01-01T10:00:00Z","a":"x"},{"at":"2026-01-02T10:00:00+01:00","a":"t"}]}`,
			want:   `{"h":[{"a":"x","at":"2026-01-01T10:00:00Z"},{"a":"t","at":"2026-01-02T10:00:00+01:00"},{"a":"m","at":"2026-01-03T10:00:00Z"}]}`,
		},
		{name: "a set of strings", base: `{"s":["p1","p2"]}`, mine: `{"s":["p1","p2","p3"]}`, theirs: `{"s":["p2"]}`, want: `{"s":["p2","p3"]}`},
		{name: "no base", base: ``, mine: `{"a":1,"b":2}`, theirs: `{"a":1,"b":3,"c":4}`, want: `{"a":1,"b":2,"c":4}`, conflicts: 1, taken: 1, conflictAt: "b"},
		{name: "a scalar against an object", base: `{"a":1}`, mine: `{"a":{"x":1}}`, theirs: `{"a":2}`, want: `{"a":{"x":1}}`, conflicts: 1, conflictAt: "a"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := &merger{}
			got := m.merge(caseKey, nil, mustDecode(t, tc.base), mustDecode(t, tc.mine), mustDecode(t, tc.theirs))
			if g, w := string(canon(got)), string(canon(mustDecode(t, tc.want))); g != w {
				t.Errorf("merged: got %s, want %s", g, w)
			}
			if len(m.conflicts) != tc.conflicts || m.taken != tc.taken {
				t.Errorf("got %d conflicts and %d taken, want %d and %d", len(m.conflicts), m.taken, tc.conflicts, tc.taken)
			}
			if tc.conflictAt != "" && len(m.conflicts) > 0 && m.conflicts[0].At.String() != tc.conflictAt {
				t.Errorf("conflict at %s, want %s", m.conflicts[0].At, tc.conflictAt)
			}
		})
	}
}

func TestMergeRecords(t *testing.T) {
	rec := func(key, v string) *record { return newRecord(key, []byte(v)) }
	base := map[string]*record{"msg.msg1": rec("msg.msg1", `{"id":"msg1","text":"a","pending":true}`), "att.a2": rec("att.a2", "\x00file")}
	mine := map[string]*record{"msg.msg1": rec("msg.msg1", `{"id":"msg1","text":"a"}`), "att.a2": rec("att.a2", "\x00file"),
		"msg.msg3": rec("msg.msg3", `{"id":"msg3"}`)}
	theirs := map[string]*record{"msg.msg1": rec("msg.msg1", `{"id":"msg1","text":"b","pending":true}`), "att.a2": rec("att.a2", "\x00other"),
		"att.a4": rec("att.a4", "new")}
	m := &merger{}
	got := m.mergeRecords(base, mine, theirs)
	if len(got) != 4 || string(got["att.a2"].raw) != "\x00other" || string(got["att.a4"].raw) != "new" || string(got["msg.msg3"].raw) != `{"id":"msg3"}` {
		t.Errorf("records: got %v", got)
	}
	if want := `{"id":"msg1","text":"b"}`; string(got["msg.msg1"].raw) != want {
		t.Errorf("msg.msg1: got %s, want %s", got["msg.msg1"].raw, want)
	}
	if len(m.conflicts) != 0 {
		t.Errorf("conflicts: got %+v, want none", m.conflicts)
	}
	// A file changed on both sides is a conflict about the whole record.
	mine["att.a2"] = rec("att.a2", "\x00mine")
	m = &merger{}
	got = m.mergeRecords(base, mine, theirs)
	if len(m.conflicts) != 1 || m.conflicts[0].At.String() != "att.a2" || string(got["att.a2"].raw) != "\x00mine" {
		t.Errorf("file changed on both sides: got %+v, kept %q", m.conflicts, got["att.a2"].raw)
	}
	if o, ok := m.conflicts[0].Theirs.(opaque); !ok || string(o.Value) != "\x00other" {
		t.Errorf("their side of the conflict: got %#v", m.conflicts[0].Theirs)
	}
}

func TestTranslation(t *testing.T) {
	tr := &translation{items: map[string]string{"p4": "p7", "msg5": "msg8", "v2": "v9"}, members: map[string]string{"m1": "m2", "m2": "m1"}}
	doc := mustDecode(t, `{"id":"c1","responder":"m1","parties":[{"id":"p4","member_id":"m2"}],`+
		`"notes":[{"id":"n6","author":"m2","text":"p4 and m1 stay in text","visibility":{"shared_with":["p4","p1"]}}],`+
		`"votes":[{"id":"v2","ballots":{"m1":"for","m3":"against"}}],"decisions":[{"id":"d3","vote_id":"v2"}],`+
		`"history":[{"member":"m1","party":"p4"}]}`)
	got := string(canon(tr.doc(doc)))
	want := string(canon(mustDecode(t, `{"id":"c1","responder":"m2","parties":[{"id":"p7","member_id":"m1"}],`+
		`"notes":[{"id":"n6","author":"m1","text":"p4 and m1 stay in text","visibility":{"shared_with":["p7","p1"]}}],`+
		`"votes":[{"id":"v9","ballots":{"m2":"for","m3":"against"}}],"decisions":[{"id":"d3","vote_id":"v9"}],`+
		`"history":[{"member":"m2","party":"p7"}]}`)))
	if got != want {
		t.Errorf("translated:\ngot  %s\nwant %s", got, want)
	}
	if k := tr.key("msg.msg5"); k != "msg.msg8" {
		t.Errorf("key: got %s, want msg.msg8", k)
	}
	if k := tr.key("case"); k != "case" {
		t.Errorf("key: got %s, want case", k)
	}
	ids := map[string]bool{}
	collectItems(map[string]*record{"case": {doc: doc}, "msg.msg8": newRecord("msg.msg8", []byte(`{"id":"msg8","attachments":[{"id":"a9"}]}`)), "att.a9": {}}, ids)
	for _, id := range []string{"p7", "n6", "v9", "d3", "msg8", "a9"} {
		if !ids[id] {
			t.Errorf("collectItems: %s missing from %v", id, ids)
		}
	}
	if ids["c1"] || len(ids) != 6 {
		t.Errorf("collectItems: got %v, want the six items", ids)
	}
}

func TestSetPath(t *testing.T) {
	doc := mustDecode(t, `{"a":{"b":1},"l":[{"id":"p1","x":1}]}`)
	tests := []struct {
		path []seg
		val  string
		want string
		err  error
	}{
		{[]seg{{Key: "a"}, {Key: "b"}}, `2`, `{"a":{"b":2},"l":[{"id":"p1","x":1}]}`, nil},
		{[]seg{{Key: "a"}, {Key: "b"}}, ``, `{"a":{},"l":[{"id":"p1","x":1}]}`, nil},
		{[]seg{{Key: "l"}, {ID: "p1"}, {Key: "x"}}, `5`, `{"a":{"b":1},"l":[{"id":"p1","x":5}]}`, nil},
		{[]seg{{Key: "l"}, {ID: "p2"}}, `{"id":"p2"}`, `{"a":{"b":1},"l":[{"id":"p1","x":1},{"id":"p2"}]}`, nil},
		{[]seg{{Key: "l"}, {ID: "p1"}}, ``, `{"a":{"b":1},"l":[]}`, nil},
		{[]seg{{Key: "l"}, {ID: "p9"}, {Key: "x"}}, `1`, ``, ErrConflictGone},
		{[]seg{{Key: "new"}, {Key: "deep"}}, `"v"`, `{"a":{"b":1},"l":[{"id":"p1","x":1}],"new":{"deep":"v"}}`, nil},
	}
	for _, tc := range tests {
		got, err := setPath(doc, tc.path, mustDecode(t, tc.val))
		if err != tc.err {
			t.Errorf("setPath(%v): got error %v, want %v", tc.path, err, tc.err)
			continue
		}
		if err != nil {
			continue
		}
		if g, w := string(canon(got)), string(canon(mustDecode(t, tc.want))); g != w {
			t.Errorf("setPath(%v): got %s, want %s", tc.path, g, w)
		}
		if again := getPath(got, tc.path); tc.val != "" && !same(again, mustDecode(t, tc.val)) {
			t.Errorf("getPath after setPath(%v): got %v", tc.path, again)
		}
	}
	if string(canon(doc)) != `{"a":{"b":1},"l":[{"id":"p1","x":1}]}` {
		t.Errorf("setPath changed its input: %s", canon(doc))
	}
}

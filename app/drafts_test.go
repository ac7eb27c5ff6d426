package app

import (
	"bytes"
	"testing"
)

// A draft survives locking and reopening, and is gone once deleted.
func TestDraftsSurviveReopen(t *testing.T) {
	e := newStoreEnv(t)
	if got, err := e.s.Draft("new-report"); err != nil || got != nil {
		t.Fatalf("Draft before saving = %q, %v; want nil, nil", got, err)
	}
	want := []byte(`{"summary":"half typed"}`)
	if err := e.s.SaveDraft("new-report", want); err != nil {
		t.Fatal(err)
	}
	s := e.reopen(t)
	got, err := s.Draft("new-report")
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("Draft after reopening = %q, %v; want %q", got, err, want)
	}
	if err := s.DeleteDraft("new-report"); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Draft("new-report"); err != nil || got != nil {
		t.Fatalf("Draft after deleting = %q, %v; want nil, nil", got, err)
	}
	if err := s.DeleteDraft("new-report"); err != nil {
		t.Errorf("deleting a missing draft: %v", err)
	}
}

package app

import (
	"errors"
	"fmt"

	"casebook/vault"
)

// draftsNS holds unfinished input, apart from the cases.
const draftsNS = "drafts"

// SaveDraft keeps unfinished input under name — a report half typed when
// the desktop app locks — sealed in the vault like everything else, so
// that nothing typed is lost and nothing typed is left in plain text.
func (s *Store) SaveDraft(name string, data []byte) error {
	if err := s.st.Update(func(tx *vault.Tx) error { return tx.Put(draftsNS, name, data) }); err != nil {
		return fmt.Errorf("save draft: %w", err)
	}
	return nil
}

// Draft returns the draft saved under name, or nil when there is none.
func (s *Store) Draft(name string) ([]byte, error) {
	b, err := s.st.Get(draftsNS, name)
	if errors.Is(err, vault.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read draft: %w", err)
	}
	return b, nil
}

// DeleteDraft removes the draft saved under name, if any.
func (s *Store) DeleteDraft(name string) error {
	if err := s.st.Update(func(tx *vault.Tx) error { return tx.Delete(draftsNS, name) }); err != nil {
		return fmt.Errorf("delete draft: %w", err)
	}
	return nil
}

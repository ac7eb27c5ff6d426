package vault

// writeCache holds what every write would otherwise read back from Badger:
// the audit chain's head and the data keys of the namespaces written to.
// Reading them costs a write two lookups through Badger's tables (its
// memtables, then its files, decrypting a block when it has left the block
// cache) and two AEAD openings.
//
// Only writers use it, holding v.wmu, and it only ever holds what is
// committed: a transaction keeps what it reads or creates to itself
// (Tx.nsKeys), and hands it over after its commit succeeds. Every change
// to what it holds goes through the writer: a commit moves the head on; a
// namespace's data key is deleted only by markDestroyed, which forgets it
// here first; rotateEpoch re-seals the keys under a new epoch key but
// leaves them as they are. When a commit fails, the head is read again.
// Lock zeroes the keys.
type writeCache struct {
	head   auditHead
	headOK bool
	nsKeys map[string][]byte
}

// key returns the cached data key of ns, or nil.
func (c *writeCache) key(ns string) []byte { return c.nsKeys[ns] }

// committed takes what a transaction learnt once it is on disk: the new
// head of the audit chain and the namespace keys it read or created. The
// keys become the cache's; a key it already holds is zeroed.
func (c *writeCache) committed(head auditHead, keys map[string][]byte) {
	c.head, c.headOK = head, true
	for ns, k := range keys {
		if _, ok := c.nsKeys[ns]; ok {
			zero(k)
			continue
		}
		if c.nsKeys == nil {
			c.nsKeys = make(map[string][]byte)
		}
		c.nsKeys[ns] = k
	}
}

// drop forgets the data key of ns, zeroing it.
func (c *writeCache) drop(ns string) {
	if k, ok := c.nsKeys[ns]; ok {
		zero(k)
		delete(c.nsKeys, ns)
	}
}

// forget zeroes every key and forgets the head.
func (c *writeCache) forget() {
	for ns := range c.nsKeys {
		c.drop(ns)
	}
	c.headOK = false
}

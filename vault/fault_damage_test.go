package vault

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"casebook/internal/faultlog"
)

// The damage scenario damages each file of a vault in turn — a byte
// flipped at its start, middle and end and inside the data it holds, the
// file cut to nothing or to half, the file deleted — and opens, checks and
// reads a copy of the vault after each. The rule: either every record reads
// back exactly as written, or Open or Check names the damage (an error
// matching ErrCorrupt); nothing panics, and no read ever returns a value
// other than the one written.
//
// It does so for two vaults: one locked cleanly, and one copied while
// open, as a crash or power cut leaves it, with Badger's write-ahead log
// (data/NNNNN.mem) and its LOCK file.

// damageMutation is one way of damaging a file.
type damageMutation struct {
	name  string
	apply func(path string, data []byte) error
}

func flipAt(pos func(data []byte) int) func(string, []byte) error {
	return func(path string, data []byte) error {
		p := pos(data)
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		if _, err := f.WriteAt([]byte{data[p] ^ 0x41}, int64(p)); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
}

// lastNonZero returns the index of the last byte that is not zero, or -1.
// Badger's log files are sized ahead of what they hold and zero-filled.
func lastNonZero(data []byte) int {
	for i := len(data) - 1; i >= 0; i-- {
		if data[i] != 0 {
			return i
		}
	}
	return -1
}

// damageMutations returns the ways to damage a file of the given size and
// content. Flipping needs a byte; the positions inside the data held are
// added only where a file is zero-filled beyond it.
func damageMutations(data []byte, full bool) []damageMutation {
	var ms []damageMutation
	n := len(data)
	if n > 0 {
		ms = append(ms,
			damageMutation{"flip first byte", flipAt(func([]byte) int { return 0 })},
			damageMutation{"flip middle byte", flipAt(func(d []byte) int { return len(d) / 2 })},
			damageMutation{"flip last byte", flipAt(func(d []byte) int { return len(d) - 1 })},
		)
		if last := lastNonZero(data); last > 0 && last < n-1 {
			ms = append(ms,
				damageMutation{"flip a byte midway through the data held", flipAt(func([]byte) int { return last / 2 })},
				damageMutation{"flip the last byte of the data held", flipAt(func([]byte) int { return last })},
			)
		}
		if full {
			for _, f := range []int{7, 5, 3} {
				ms = append(ms, damageMutation{fmt.Sprintf("flip byte at 1/%d", f), flipAt(func(d []byte) int { return len(d) / f })})
			}
			if last := lastNonZero(data); last > 8 {
				r := rand.New(rand.NewPCG(uint64(n), uint64(last)))
				for range 4 {
					p := 1 + r.IntN(last)
					ms = append(ms, damageMutation{fmt.Sprintf("flip byte %d of the data held", p), flipAt(func([]byte) int { return p })})
				}
			}
		}
		ms = append(ms,
			damageMutation{"truncate to nothing", func(path string, _ []byte) error { return os.Truncate(path, 0) }},
			damageMutation{"truncate to half", func(path string, d []byte) error { return os.Truncate(path, int64(len(d)/2)) }},
		)
	}
	ms = append(ms, damageMutation{"delete", func(path string, _ []byte) error { return os.Remove(path) }})
	if !full {
		// Under make test, one of each kind of damage per file: a byte
		// in the data held (or the middle), the file cut to half, gone.
		quick := []string{"flip a byte midway through the data held", "truncate to half", "delete"}
		if lastNonZero(data) >= n-1 || n == 0 {
			quick[0] = "flip middle byte"
		}
		ms = slices.DeleteFunc(ms, func(m damageMutation) bool { return !slices.Contains(quick, m.name) })
	}
	return ms
}

// damageVault is a vault directory and what it holds.
type damageVault struct {
	name string
	tv   *tamperVault
}

// buildCrashedVault writes a vault like buildTamperVault's and copies its
// directory while it is still open: what a crash or a power cut leaves.
func buildCrashedVault(t *testing.T) *tamperVault {
	t.Helper()
	tv := &tamperVault{dir: filepath.Join(t.TempDir(), "crashed"), records: map[tamperRecord][]byte{}}
	dir := filepath.Join(t.TempDir(), "vault")
	v, _, err := Create(dir, []byte(tamperPassphrase), Options{Actor: "tester", Logger: quietLogger})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	defer v.Lock()
	write := func(ns, key string, value []byte) {
		if err := v.Update(func(tx *Tx) error { return tx.Put(ns, key, value) }); err != nil {
			t.Fatalf("Put: %v", err)
		}
		tv.records[tamperRecord{ns, key}] = value
	}
	write("case-a", "report", []byte("synthetic report"))
	write("case-a", "msg/0001", []byte("synthetic reply"))
	evidence := make([]byte, 1<<20+1000)
	rand.NewChaCha8([32]byte{'c', 'r', 'a', 's', 'h'}).Read(evidence)
	write("case-c", "evidence", evidence)
	for i := range 20 {
		write("case-d", fmt.Sprintf("msg/%04d", i), []byte(strings.Repeat("synthetic message ", 1+i)))
	}
	if tv.audit, err = v.Audit(); err != nil {
		t.Fatalf("Audit: %v", err)
	}
	imageOf(t, dir).write(t, tv.dir)
	delete(imageCache, dir)
	return tv
}

// damageOutcome opens a damaged copy, checks it and reads everything. It
// returns whether the damage was named, how many reads returned a value
// other than the one written, and how many records written could not be
// read back.
func damageOutcome(t *testing.T, label, dir string, tv *tamperVault) (named bool, altered, missing int) {
	t.Helper()
	v, err := Open(dir, []byte(tamperPassphrase), Options{Logger: quietLogger})
	if err != nil {
		if !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: Open: got %v, want an error matching ErrCorrupt", label, err)
		}
		return true, 0, 0
	}
	defer v.Lock()
	rep, cerr := v.Check()
	if cerr != nil {
		named = true
		if !errors.Is(cerr, ErrCorrupt) {
			t.Errorf("%s: Check: got %v, want an error matching ErrCorrupt", label, cerr)
		}
		for _, p := range rep.Problems {
			var ce *CorruptError
			if !errors.As(p, &ce) || ce.Record == "" {
				t.Errorf("%s: Check problem %v: want a *CorruptError naming the damaged part", label, p)
			}
		}
	}
	for r, want := range tv.records {
		got, err := v.Get(r.ns, r.key)
		switch {
		case err == nil && !bytes.Equal(got, want):
			altered++
			t.Errorf("%s: Get(%s, %s): got an altered value (%d bytes), want the value written or an error", label, r.ns, r.key, len(got))
		case err != nil:
			missing++
			if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrNotFound) {
				t.Errorf("%s: Get(%s, %s): got %v, want the value, ErrCorrupt or ErrNotFound", label, r.ns, r.key, err)
			}
		}
	}
	before := t.Failed()
	assertNoAlteredValue(t, label, v, tv)
	if !before && t.Failed() {
		altered++
	}
	return named, altered, missing
}

// TestFaultDamageEveryFile damages every file of a locked and of a crashed
// vault in every way damageMutations knows.
func TestFaultDamageEveryFile(t *testing.T) {
	full := faultlog.Full()
	tl := faultlog.Track(t, "damage", "every vault file flipped, truncated or deleted",
		"Each file of a locked vault and of one left by a crash (header, keyring, lock, Badger's tables, value and write-ahead logs, manifest, key registry, discard stats, LOCK) has a byte flipped at several places, is cut to nothing or to half, or is deleted: every record then reads back exactly or Open or Check names the damage, nothing panics, and no read returns altered data.")
	vaults := []damageVault{
		{name: "locked", tv: buildTamperVault(t)},
		{name: "crashed", tv: buildCrashedVault(t)},
	}
	for _, dv := range vaults {
		t.Run(dv.name, func(t *testing.T) {
			var files []string
			err := filepath.WalkDir(dv.tv.dir, func(p string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				rel, _ := filepath.Rel(dv.tv.dir, p)
				files = append(files, filepath.ToSlash(rel))
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			sort.Strings(files)
			t.Logf("files: %v", files)
			if named, altered, missing := damageOutcome(t, "pristine", copyOf(t, dv.tv.dir), dv.tv); named || altered > 0 || missing > 0 {
				t.Fatalf("pristine %s vault: named=%v altered=%d missing=%d, want a clean vault", dv.name, named, altered, missing)
			}
			for _, rel := range files {
				orig, err := os.ReadFile(filepath.Join(dv.tv.dir, filepath.FromSlash(rel)))
				if err != nil {
					t.Fatal(err)
				}
				for _, m := range damageMutations(orig, full) {
					label := fmt.Sprintf("%s vault: %s: %s", dv.name, rel, m.name)
					work := copyOf(t, dv.tv.dir)
					if err := m.apply(filepath.Join(work, filepath.FromSlash(rel)), orig); err != nil {
						t.Fatal(err)
					}
					named, altered, missing := damageOutcome(t, label, work, dv.tv)
					tl.Add(1, altered)
					if !named && missing > 0 {
						t.Errorf("%s: %d records cannot be read back and neither Open nor Check named the damage", label, missing)
					}
					if !named && missing == 0 {
						t.Logf("%s: tolerated: every record reads back exactly", label)
					}
					os.RemoveAll(work)
				}
			}
		})
	}
}

// copyOf copies a vault directory to a new temporary directory.
func copyOf(t *testing.T, dir string) string {
	t.Helper()
	work := filepath.Join(t.TempDir(), "work")
	imageOf(t, dir).write(t, work)
	return work
}

// treeImage is a directory tree in memory, its files' runs of zeros left
// out: Badger's log files are sized far ahead of what they hold, and a
// copy written from the image costs what the vault holds rather than what
// its files span.
type treeImage struct {
	dirs  []string
	files []fileImage
}

type fileImage struct {
	rel    string
	size   int64
	chunks map[int64][]byte
}

const imageBlock = 64 << 10

var imageCache = map[string]*treeImage{}

// imageOf reads the tree at dir once; later calls return the same image.
// Only directories that do not change afterwards may be passed.
func imageOf(t *testing.T, dir string) *treeImage {
	t.Helper()
	if img, ok := imageCache[dir]; ok {
		return img
	}
	img := &treeImage{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			img.dirs = append(img.dirs, rel)
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		fi := fileImage{rel: rel, size: int64(len(data)), chunks: map[int64][]byte{}}
		for off := 0; off < len(data); off += imageBlock {
			chunk := data[off:min(off+imageBlock, len(data))]
			if lastNonZero(chunk) >= 0 {
				fi.chunks[int64(off)] = chunk
			}
		}
		img.files = append(img.files, fi)
		return nil
	})
	if err != nil {
		t.Fatalf("read %s: %v", dir, err)
	}
	imageCache[dir] = img
	return img
}

// write makes the tree at dst, which must not exist.
func (img *treeImage) write(t *testing.T, dst string) {
	t.Helper()
	for _, d := range img.dirs {
		if err := os.Mkdir(filepath.Join(dst, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	for _, fi := range img.files {
		out, err := os.OpenFile(filepath.Join(dst, fi.rel), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		for off, chunk := range fi.chunks {
			if _, err := out.WriteAt(chunk, off); err != nil {
				t.Fatal(err)
			}
		}
		if err := out.Truncate(fi.size); err != nil {
			t.Fatal(err)
		}
		if err := out.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

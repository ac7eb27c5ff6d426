package app

import (
	"crypto/rand"
	"math/big"
	"strconv"
)

// Code names are random and neutral: two words and two digits, such as
// "amber-heron-42". They are never initials (which would point at people)
// and never a sequence (which would tell how many reports exist).
var (
	codeAdjectives = []string{
		"amber", "azure", "brisk", "calm", "cedar", "clear", "coral", "crisp", "dawn", "deep",
		"dusky", "early", "east", "fair", "fern", "field", "firm", "fleet", "frost", "gentle",
		"glade", "gold", "grand", "green", "grey", "harbor", "hazel", "high", "hollow", "indigo",
		"iron", "ivory", "jade", "keen", "lake", "late", "light", "linen", "lunar", "maple",
		"marble", "meadow", "mild", "misty", "moss", "north", "oak", "ocean", "olive", "opal",
		"pale", "pine", "plain", "quiet", "rapid", "river", "royal", "rust", "sage", "sand",
		"silver", "slate", "snow", "solar", "south", "spring", "steady", "stone", "storm", "summer",
		"swift", "tidal", "umber", "valley", "velvet", "west", "wild", "willow", "winter", "young",
	}
	codeNouns = []string{
		"anchor", "arch", "aspen", "badger", "beacon", "birch", "bison", "bridge", "brook", "canyon",
		"cape", "cliff", "cloud", "comet", "cove", "crane", "creek", "delta", "dune", "eagle",
		"ember", "falcon", "fjord", "flint", "forest", "fox", "garnet", "geyser", "glacier", "grove",
		"harbor", "hawk", "heron", "hill", "island", "kestrel", "lagoon", "lantern", "lark", "ledge",
		"lynx", "marsh", "mesa", "moon", "moor", "orchid", "osprey", "otter", "owl", "peak",
		"pebble", "pier", "plover", "prairie", "quarry", "raven", "reef", "ridge", "robin", "sparrow",
		"spruce", "summit", "swan", "thistle", "tide", "trail", "tundra", "vale", "wave", "wren",
	}
)

func randIndex(n int) int {
	v, err := rand.Int(rand.Reader, big.NewInt(int64(n)))
	if err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return int(v.Int64())
}

// NewCodeName returns a random code name that taken does not report as in
// use.
func NewCodeName(taken func(string) bool) string {
	for {
		code := codeAdjectives[randIndex(len(codeAdjectives))] + "-" +
			codeNouns[randIndex(len(codeNouns))] + "-" + strconv.Itoa(10+randIndex(90))
		if taken == nil || !taken(code) {
			return code
		}
	}
}

// newID returns a random identifier of 16 hex digits, for internal use.
func newID() string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	const hex = "0123456789abcdef"
	out := make([]byte, 16)
	for i, x := range b {
		out[2*i], out[2*i+1] = hex[x>>4], hex[x&15]
	}
	return string(out)
}

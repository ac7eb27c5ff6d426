package app

import (
	"fmt"
	"slices"
	"strings"
)

// Category is the kind of behaviour a report is about, as the archive and
// the transparency report count it. It is one of a short fixed list, so
// that counts can be compared across years; a case has none until a
// member sets it.
type Category string

// The categories of behaviour.
const (
	CategoryHarassment      Category = "harassment"
	CategoryDiscrimination  Category = "discrimination"
	CategoryPersonalAttack  Category = "personal-attack"
	CategorySexualAttention Category = "sexual-attention"
	CategoryThreat          Category = "threat"
	CategoryPrivacy         Category = "privacy"
	CategoryDisruption      Category = "disruption"
	CategoryOther           Category = "other"
)

// Categories lists every category, in the order forms and reports show
// them.
var Categories = []Category{CategoryHarassment, CategoryDiscrimination, CategoryPersonalAttack,
	CategorySexualAttention, CategoryThreat, CategoryPrivacy, CategoryDisruption, CategoryOther}

var categoryTitles = map[Category]string{
	CategoryHarassment:      "Harassment",
	CategoryDiscrimination:  "Discrimination",
	CategoryPersonalAttack:  "Personal attacks or insults",
	CategorySexualAttention: "Unwelcome sexual attention",
	CategoryThreat:          "Threats or violence",
	CategoryPrivacy:         "Doxxing or privacy violations",
	CategoryDisruption:      "Disruption",
	CategoryOther:           "Other",
}

// Title is the category in words; the empty category is "Not
// categorized".
func (c Category) Title() string {
	if c == "" {
		return "Not categorized"
	}
	if t, ok := categoryTitles[c]; ok {
		return t
	}
	return string(c)
}

// Valid reports whether c is one of Categories.
func (c Category) Valid() bool { return slices.Contains(Categories, c) }

// ParseCategory reads a category name, ignoring case and surrounding
// spaces.
func ParseCategory(s string) (Category, error) {
	c := Category(strings.ToLower(strings.TrimSpace(s)))
	if !c.Valid() {
		return "", fmt.Errorf("%w: unknown category %q; categories are %s", ErrInvalid, s, categoryNames())
	}
	return c, nil
}

func categoryNames() string {
	names := make([]string, len(Categories))
	for i, c := range Categories {
		names[i] = string(c)
	}
	return strings.Join(names, ", ")
}

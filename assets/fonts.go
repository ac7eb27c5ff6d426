package assets

import (
	_ "embed"

	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
)

// Fonts for the PDF documents; see fonts/README.md for their licences.
var (
	// SansRegular and SansBold are the Go fonts (BSD licence), which
	// cover Latin with its diacritics, Greek and Cyrillic.
	SansRegular = goregular.TTF
	SansBold    = gobold.TTF

	// CJKFallback is Droid Sans Fallback (Apache-2.0), for Chinese and
	// Japanese text the Go fonts do not cover.
	//
	//go:embed fonts/DroidSansFallbackFull.ttf
	CJKFallback []byte

	// HangulFallback is NanumGothic (SIL Open Font License 1.1), for
	// Korean: Droid Sans Fallback has almost no Hangul.
	//
	//go:embed fonts/NanumGothic.ttf
	HangulFallback []byte
)

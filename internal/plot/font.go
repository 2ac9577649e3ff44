package plot

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
	"unicode"

	"golang.org/x/image/font/sfnt"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/font/liberation"

	"github.com/lstmfc/lstmfc/internal/userfile"
)

// builtinFont is gonum/plot's embedded Liberation Sans, used when the
// chart's text needs no other font.
var builtinFont = font.Font{Typeface: "Liberation", Variant: "Sans"}

// fontLocator finds a system font able to draw text that the built-in
// font cannot. It is a value, not package state, so that tests can point
// it at directories of their choosing.
type fontLocator struct {
	// paths are candidate font files, tried in order.
	paths []string
	// fcMatch is the fontconfig command asked after paths, with
	// ":lang=zh"; "" skips it.
	fcMatch string
}

// systemFonts returns the locator used when Options names no font: the
// CJK fonts of common Debian packages, then whatever fontconfig offers.
func systemFonts() fontLocator {
	return fontLocator{
		paths: []string{
			"/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",    // fonts-noto-cjk
			"/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",   // fonts-noto-cjk
			"/usr/share/fonts/truetype/arphic/uming.ttc",                // fonts-arphic-uming
			"/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", // fonts-droid-fallback
		},
		// Not WenQuanYi's collections: x/image/font/sfnt refuses their
		// table offsets. fontconfig may still name one; it is then passed
		// over like any font that does not load.
		fcMatch: "fc-match",
	}
}

// find returns the first candidate font that has a glyph for every rune of
// text. fontconfig is asked last because it always answers with some font,
// often one without CJK glyphs, so its answer is checked like the others.
func (l fontLocator) find(text string) (*sfnt.Font, bool) {
	candidates := l.paths
	if l.fcMatch != "" {
		if path, ok := fontconfigFile(l.fcMatch); ok {
			candidates = append(candidates[:len(candidates):len(candidates)], path)
		}
	}
	for _, path := range candidates {
		f, err := loadFont(path)
		if err != nil {
			continue
		}
		if _, missing := firstMissingGlyph(f, text); !missing {
			return f, true
		}
	}
	return nil, false
}

// fontconfigFile asks fontconfig for its best Chinese font file.
func fontconfigFile(command string) (string, bool) {
	if _, err := exec.LookPath(command); err != nil {
		return "", false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, command, "-f", "%{file}", ":lang=zh").Output()
	path := strings.TrimSpace(string(out))
	if err != nil || path == "" {
		return "", false
	}
	return path, true
}

// loadFont reads a .ttf, .otf or .ttc file of at most
// userfile.MaxFontBytes. From a collection it takes the first font.
func loadFont(path string) (*sfnt.Font, error) {
	// Write takes no context, so a FIFO named as the font waits for its
	// writer; the size limit and the refusal of a directory still hold.
	data, err := userfile.ReadFile(context.Background(), path, userfile.MaxFontBytes)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("plot: font file %s does not exist", path)
		}
		return nil, fmt.Errorf("plot: font file %w", err)
	}
	coll, err := sfnt.ParseCollection(data)
	if err != nil {
		return nil, fmt.Errorf("plot: font file %s is not a TrueType/OpenType font or collection: %w", path, err)
	}
	f, err := coll.Font(0)
	if err != nil {
		return nil, fmt.Errorf("plot: font file %s: %w", path, err)
	}
	return f, nil
}

// firstMissingGlyph returns the first rune of text, other than white space,
// for which f has no glyph.
func firstMissingGlyph(f *sfnt.Font, text string) (rune, bool) {
	var buf sfnt.Buffer
	for _, r := range text {
		if unicode.IsSpace(r) {
			continue
		}
		idx, err := f.GlyphIndex(&buf, r)
		if err != nil || idx == 0 {
			return r, true
		}
	}
	return 0, false
}

// fontFamily returns the family name recorded in f, or fallback when the
// font records none.
func fontFamily(f *sfnt.Font, fallback string) string {
	name, err := f.Name(nil, sfnt.NameIDFamily)
	if err != nil || name == "" {
		return fallback
	}
	return name
}

// fontChoice is the typeface a chart's text is drawn in, with the cache
// that holds it.
type fontChoice struct {
	typeface font.Font
	cache    *font.Cache
	// builtin reports whether typeface is gonum/plot's own font, which
	// the PDF backend can embed as vector text.
	builtin bool
}

// GlyphError is a character of the chart's text that the font file given,
// or every font found, cannot draw. A caller that takes the font file from
// the user can tell them how to give one.
type GlyphError struct {
	Rune rune
	// Font is the font file given, or "" when fonts were looked for.
	Font string
}

func (e *GlyphError) Error() string {
	switch {
	case e.Font != "":
		return fmt.Sprintf("plot: font file %s has no glyph for %q, which the chart's text needs", e.Font, e.Rune)
	case isCJK(e.Rune):
		return fmt.Sprintf("plot: the chart's text needs a font with %q and no such font was found; install one (apt-get install fonts-noto-cjk) or give a font file", e.Rune)
	}
	return fmt.Sprintf("plot: the chart's text needs a font with %q (U+%04X) and no such font was found; give a font file that has it", e.Rune, e.Rune)
}

// isCJK reports whether r is written in a Chinese, Japanese or Korean
// script, which the CJK fonts looked for cover.
func isCJK(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul, unicode.Bopomofo)
}

// controlChar returns the first control character of text other than white
// space: no font draws one, so looking for a font that does is pointless.
func controlChar(text string) (rune, bool) {
	for _, r := range text {
		if unicode.IsControl(r) && !unicode.IsSpace(r) {
			return r, true
		}
	}
	return 0, false
}

// chooseFont returns the font for text: the file named by path when given,
// otherwise the built-in font if it covers text, otherwise a CJK font found
// by loc.
func chooseFont(path, text string, loc fontLocator) (fontChoice, error) {
	if r, ok := controlChar(text); ok {
		return fontChoice{}, fmt.Errorf("plot: the chart's text holds the control character U+%04X, which no font draws", r)
	}
	builtin := liberation.Collection()
	var f *sfnt.Font
	switch {
	case path != "":
		var err error
		f, err = loadFont(path)
		if err != nil {
			return fontChoice{}, err
		}
		if r, missing := firstMissingGlyph(f, text); missing {
			return fontChoice{}, &GlyphError{Rune: r, Font: path}
		}
	default:
		def := font.NewCache(builtin).Lookup(builtinFont, 0)
		r, missing := firstMissingGlyph(def.Face, text)
		if !missing {
			return fontChoice{typeface: builtinFont, cache: font.NewCache(builtin), builtin: true}, nil
		}
		var ok bool
		f, ok = loc.find(text)
		if !ok {
			return fontChoice{}, &GlyphError{Rune: r}
		}
	}
	typeface := font.Font{Typeface: font.Typeface(fontFamily(f, "custom"))}
	cache := font.NewCache(font.Collection{{Font: typeface, Face: f}})
	return fontChoice{typeface: typeface, cache: cache}, nil
}

package plot

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"codeberg.org/go-fonts/liberation/liberationsansregular"
)

// latinFont writes a font without CJK glyphs to a temporary file and
// returns its path.
func latinFont(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "LiberationSans-Regular.ttf")
	if err := os.WriteFile(path, liberationsansregular.TTF, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestMissingFontFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no-such-font.ttf")
	err := Write(&bytes.Buffer{}, "png", halves(0), Options{Font: path})
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("got error %v, want one naming %s as missing", err, path)
	}
}

func TestFontFileNotAFont(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notes.ttf")
	if err := os.WriteFile(path, []byte("not a font"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := Write(&bytes.Buffer{}, "png", halves(0), Options{Font: path})
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "not a TrueType/OpenType font") {
		t.Errorf("got error %v, want one saying %s is not a font", err, path)
	}
}

func TestFontFileUsed(t *testing.T) {
	o := Options{Font: latinFont(t), Width: 4, Height: 3, DPI: 50}
	if b := render(t, halves(5), o).Bounds(); b.Dx() != 200 || b.Dy() != 150 {
		t.Errorf("got %v, want 200x150", b)
	}
	o.Title = "股票"
	err := Write(&bytes.Buffer{}, "png", halves(0), o)
	if err == nil || !strings.Contains(err.Error(), `no glyph for '股'`) || !strings.Contains(err.Error(), o.Font) {
		t.Errorf("CJK title with a Latin font: got error %v, want one naming the font and the rune", err)
	}
}

func TestNoCJKFont(t *testing.T) {
	zh, err := Preset("zh")
	if err != nil {
		t.Fatal(err)
	}
	for name, loc := range map[string]fontLocator{
		"nothing to search":     {},
		"missing files":         {paths: []string{filepath.Join(t.TempDir(), "absent.ttc")}},
		"only a font without 股": {paths: []string{latinFont(t)}},
	} {
		zh.fonts = &loc
		err := Write(&bytes.Buffer{}, "png", halves(0), zh)
		var ge *GlyphError
		if !errors.As(err, &ge) || ge.Font != "" || !isCJK(ge.Rune) {
			t.Errorf("%s: got error %v, want a *GlyphError for a CJK rune", name, err)
		}
		if err == nil || !strings.Contains(err.Error(), "fonts-noto-cjk") || strings.Contains(err.Error(), "--") {
			t.Errorf("%s: got error %v, want one naming fonts-noto-cjk and no command-line flag", name, err)
		}
	}
}

func TestFontLocator(t *testing.T) {
	latin := latinFont(t)
	if _, ok := (fontLocator{paths: []string{latin}}).find("Price 123"); !ok {
		t.Error("a Latin font was not found for Latin text")
	}
	cjk := systemFonts()
	cjk.fcMatch = ""
	var found string
	for _, path := range cjk.paths {
		if _, err := loadFont(path); err == nil {
			found = path
			break
		}
	}
	if found == "" {
		t.Skip("no CJK font lstmfc reads installed at the usual Debian paths (apt-get install fonts-noto-cjk)")
	}
	// A font without the glyphs is passed over for a later one with them.
	loc := fontLocator{paths: []string{latin, found}}
	f, ok := loc.find("股票价格预测")
	if !ok {
		t.Fatalf("%s was not found for Chinese text", found)
	}
	if _, missing := firstMissingGlyph(f, "股票价格预测"); missing {
		t.Errorf("the font found for Chinese text lacks its glyphs")
	}
}

// TestFontFileLimits reads fonts that are not files, or are endless.
func TestFontFileLimits(t *testing.T) {
	dir := t.TempDir()
	for path, want := range map[string]string{
		"/dev/zero": "plot: font file /dev/zero: larger than 64 MiB, the most lstmfc reads",
		dir:         "plot: font file " + dir + " is a directory, not a file",
	} {
		err := Write(&bytes.Buffer{}, "png", halves(0), Options{Font: path})
		if err == nil || err.Error() != want {
			t.Errorf("font %s: err = %v, want %q", path, err, want)
		}
	}
}

// TestControlCharacter checks that a control character in the chart's
// text is named as such, not taken for a rune of a font to install.
func TestControlCharacter(t *testing.T) {
	for _, o := range []Options{
		{Title: "a\x01"},
		{Title: "a\x7f", Font: latinFont(t)},
		{Title: "股\x1b", fonts: &fontLocator{}},
	} {
		err := Write(&bytes.Buffer{}, "png", halves(0), o)
		if err == nil || !strings.Contains(err.Error(), "control character U+00") || strings.Contains(err.Error(), "fonts-noto-cjk") {
			t.Errorf("title %q: got error %v, want one naming the control character", o.Title, err)
		}
	}
	// White space is drawn as space, as before.
	if err := Write(&bytes.Buffer{}, "png", halves(0), Options{Title: "a\tb"}); err != nil {
		t.Errorf("title with a tab: %v", err)
	}
}

func TestGlyphErrorMessages(t *testing.T) {
	for _, test := range []struct {
		err  GlyphError
		want string
	}{
		{GlyphError{Rune: '股'}, "plot: the chart's text needs a font with '股' and no such font was found; install one (apt-get install fonts-noto-cjk) or give a font file"},
		{GlyphError{Rune: '📈'}, "plot: the chart's text needs a font with '📈' (U+1F4C8) and no such font was found; give a font file that has it"},
		{GlyphError{Rune: 'ا', Font: "f.ttf"}, "plot: font file f.ttf has no glyph for 'ا', which the chart's text needs"},
	} {
		if got := test.err.Error(); got != test.want {
			t.Errorf("got %q, want %q", got, test.want)
		}
	}
}

package plot

import (
	"bytes"
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
		if err == nil || !strings.Contains(err.Error(), "fonts-noto-cjk") || !strings.Contains(err.Error(), "--font") {
			t.Errorf("%s: got error %v, want one naming fonts-noto-cjk and --font", name, err)
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
		if _, err := os.Stat(path); err == nil {
			found = path
			break
		}
	}
	if found == "" {
		t.Skip("no CJK font installed at the usual Debian paths (apt-get install fonts-noto-cjk)")
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

package qrpng

import (
	"bytes"
	"image/png"
	"strings"
	"testing"
)

// modules samples a rendered PNG back into its module grid (true = dark),
// quiet zone removed, by the centre pixel of each module.
func modules(t *testing.T, b []byte, size int) [][]bool {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if r := img.Bounds(); r.Dx() != size || r.Dy() != size {
		t.Fatalf("image is %dx%d, want %dx%d", r.Dx(), r.Dy(), size, size)
	}
	dark := func(x, y int) bool { r, _, _, _ := img.At(x, y).RGBA(); return r < 0x8000 }
	// The first dark pixel on the diagonal is the top-left finder's corner.
	start := 0
	for start < size && !dark(start, start) {
		start++
	}
	if start == size {
		t.Fatal("no dark module")
	}
	// The finder is 7 modules wide: its first row's dark run is 7 modules.
	run := 0
	for start+run < size && dark(start+run, start) {
		run++
	}
	scale := run / 7
	if scale == 0 || run%7 != 0 {
		t.Fatalf("finder run of %d pixels is not 7 modules", run)
	}
	if start < quiet*scale {
		t.Fatalf("quiet zone of %d pixels, want at least %d", start, quiet*scale)
	}
	// The symbol is square and 17+4v modules wide: find it from the top
	// right finder, whose last dark column ends the symbol.
	end := size - 1
	for end > start && !dark(end, start) {
		end--
	}
	n := (end - start + 1) / scale
	if (n-17)%4 != 0 {
		t.Fatalf("symbol of %d modules is not a QR size", n)
	}
	g := make([][]bool, n)
	for y := range g {
		g[y] = make([]bool, n)
		for x := range g[y] {
			g[y][x] = dark(start+x*scale+scale/2, start+y*scale+scale/2)
		}
	}
	return g
}

// finderAt reports whether a 7x7 finder pattern has its corner at (x, y).
func finderAt(g [][]bool, x, y int) bool {
	for dy := 0; dy < 7; dy++ {
		for dx := 0; dx < 7; dx++ {
			ring := max(abs(dx-3), abs(dy-3))
			if g[y+dy][x+dx] != (ring != 2) {
				return false
			}
		}
	}
	return true
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// validFormat holds the 8 format words of error correction level M (one
// per mask): level bits 00, mask, BCH(15,5) remainder, XOR 101010000010010
// (ISO/IEC 18004, 7.9).
func validFormat() map[uint16]bool {
	out := map[uint16]bool{}
	for mask := uint16(0); mask < 8; mask++ {
		data := mask // level M is 00
		rem := data << 10
		for i := 14; i >= 10; i-- {
			if rem&(1<<i) != 0 {
				rem ^= 0x537 << (i - 10)
			}
		}
		out[(data<<10|rem)^0x5412] = true
	}
	return out
}

// TestEncodeIsAReadableSymbol: the PNG is size×size, holds a QR symbol of
// a valid size with finder patterns at exactly three corners (so it is not
// mirrored or turned), and the format information next to the top-left
// finder, read in the order the standard gives, is a level-M format word;
// both copies of it agree. A decoder reads a symbol from exactly these.
func TestEncodeIsAReadableSymbol(t *testing.T) {
	for _, content := range []string{
		"https://reset.example.test/r/0123456789abcdefghijklmnopqrstuvwxyzABCDEFGH",
		"otpauth://totp/Example:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example",
	} {
		b, err := Encode(content, 256)
		if err != nil {
			t.Fatal(err)
		}
		g := modules(t, b, 256)
		n := len(g)
		if !finderAt(g, 0, 0) || !finderAt(g, n-7, 0) || !finderAt(g, 0, n-7) || finderAt(g, n-7, n-7) {
			t.Fatalf("%s: finder patterns are not at the top-left, top-right and bottom-left corners", content)
		}
		bit := func(x, y int) uint16 {
			if g[y][x] {
				return 1
			}
			return 0
		}
		// Copy 1, around the top-left finder: bits 14..9 at row 8,
		// columns 0..5; 8 at (7,8); 7 at (8,8); 6 at (8,7); 5..0 at
		// column 8, rows 5..0.
		var f1 uint16
		for x := 0; x <= 5; x++ {
			f1 = f1<<1 | bit(x, 8)
		}
		f1 = f1<<1 | bit(7, 8)
		f1 = f1<<1 | bit(8, 8)
		f1 = f1<<1 | bit(8, 7)
		for y := 5; y >= 0; y-- {
			f1 = f1<<1 | bit(8, y)
		}
		// Copy 2: bits 14..8 at column 8, rows n-1..n-7; 7..0 at row 8,
		// columns n-8..n-1.
		var f2 uint16
		for y := n - 1; y >= n-7; y-- {
			f2 = f2<<1 | bit(8, y)
		}
		for x := n - 8; x <= n-1; x++ {
			f2 = f2<<1 | bit(x, 8)
		}
		if !validFormat()[f1] || f1 != f2 {
			t.Fatalf("%s: format information %015b / %015b is not one level-M word", content, f1, f2)
		}
		if g[n-8][8] != true {
			t.Errorf("%s: the dark module next to the bottom-left finder is missing", content)
		}
	}
}

// TestEncodeIsDeterministic: the same content gives the same bytes (pages
// and tests compare them), different content a different image.
func TestEncodeIsDeterministic(t *testing.T) {
	a, _ := Encode("https://reset.example.test/r/a", 256)
	b, _ := Encode("https://reset.example.test/r/a", 256)
	c, _ := Encode("https://reset.example.test/r/b", 256)
	if !bytes.Equal(a, b) || bytes.Equal(a, c) {
		t.Fatal("Encode is not a function of its content")
	}
}

// TestEncodeRefuses: content too long for any QR code, and a size too
// small for the symbol, are errors, not a broken image.
func TestEncodeRefuses(t *testing.T) {
	if _, err := Encode(strings.Repeat("A", 8000), 256); err == nil {
		t.Error("8000 characters encoded")
	}
	if _, err := Encode("https://reset.example.test/r/0123456789", 20); err == nil {
		t.Error("a 25-module symbol drawn in 20 pixels")
	}
}

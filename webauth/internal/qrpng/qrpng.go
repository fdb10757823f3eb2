// Package qrpng renders a QR code as a PNG for the web pages (the link to
// continue on the phone, the authenticator-app enrollment). The symbol
// comes from yeqown/go-qrcode (maintained; it replaced skip2/go-qrcode,
// whose last release was in 2020); the few lines of drawing are here
// because that library's PNG writer is a separate module with image
// dependencies the pages do not need.
package qrpng

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"

	qrcode "github.com/yeqown/go-qrcode/v2"
)

// quiet is the light border the QR specification asks for, in modules.
const quiet = 4

// Encode renders content as a QR code with error correction level M in a
// size×size PNG: dark modules on white, a four-module quiet zone, every
// module the same whole number of pixels, the symbol centred. It fails
// when content does not fit a QR code or the symbol does not fit size.
func Encode(content string, size int) ([]byte, error) {
	qr, err := qrcode.NewWith(content, qrcode.WithErrorCorrectionLevel(qrcode.ErrorCorrectionMedium))
	if err != nil {
		return nil, fmt.Errorf("qrpng: encode: %w", err)
	}
	var m matrix
	if err := qr.Save(&m); err != nil {
		return nil, fmt.Errorf("qrpng: encode: %w", err)
	}
	if m.mat == nil {
		return nil, errors.New("qrpng: encode: no symbol")
	}
	n := m.mat.Width() + 2*quiet
	if size < n {
		return nil, fmt.Errorf("qrpng: %d pixels cannot hold %d modules", size, n)
	}
	scale := size / n
	off := (size-scale*n)/2 + quiet*scale
	img := image.NewPaletted(image.Rect(0, 0, size, size), color.Palette{color.White, color.Black})
	m.mat.Iterate(qrcode.IterDirection_ROW, func(x, y int, v qrcode.QRValue) {
		if !v.IsSet() {
			return
		}
		for dy := 0; dy < scale; dy++ {
			for dx := 0; dx < scale; dx++ {
				img.SetColorIndex(off+x*scale+dx, off+y*scale+dy, 1)
			}
		}
	})
	var b bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&b, img); err != nil {
		return nil, fmt.Errorf("qrpng: png: %w", err)
	}
	return b.Bytes(), nil
}

// matrix is a qrcode.Writer that keeps the symbol's modules.
type matrix struct{ mat *qrcode.Matrix }

func (m *matrix) Write(mat qrcode.Matrix) error {
	m.mat = &mat
	return nil
}

func (m *matrix) Close() error { return nil }

package totp

import (
	"bytes"
	"encoding/base32"
	"image/png"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// rfcSecret is the RFC 6238 appendix B SHA-1 seed "12345678901234567890"
// in base32. The codes below are the last six digits of the RFC's
// eight-digit values (a shorter code is the same number mod 10^6).
const rfcSecret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

var rfcVectors = []struct {
	unix int64
	code string
}{
	{59, "287082"},
	{1111111109, "081804"},
	{1111111111, "050471"},
	{1234567890, "005924"},
	{2000000000, "279037"},
	{20000000000, "353130"},
}

func TestVerifyRFC6238Vectors(t *testing.T) {
	for _, v := range rfcVectors {
		t.Run(time.Unix(v.unix, 0).UTC().Format(time.RFC3339), func(t *testing.T) {
			step, ok := Verify(rfcSecret, v.code, time.Unix(v.unix, 0))
			if !ok {
				t.Fatalf("Verify(%s at %d) = false, want true", v.code, v.unix)
			}
			if want := v.unix / 30; step != want {
				t.Fatalf("step = %d, want %d", step, want)
			}
		})
	}
}

// TestVerifySkew moves the clock around the RFC vector at 1111111109 (step
// 37037036): one step either way is accepted and reports the step the code
// belongs to, two steps is rejected.
func TestVerifySkew(t *testing.T) {
	const code, at, codeStep = "081804", int64(1111111109), int64(37037036)
	tests := []struct {
		name   string
		offset time.Duration
		ok     bool
	}{
		{"same step", 0, true},
		{"first second of the code's step", -(time.Duration(at%30) * time.Second), true},
		{"clock one step ahead", 30 * time.Second, true},
		{"clock one step behind", -30 * time.Second, true},
		{"clock two steps ahead", 60 * time.Second, false},
		{"clock two steps behind", -60 * time.Second, false},
		{"clock ten minutes ahead", 10 * time.Minute, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			step, ok := Verify(rfcSecret, code, time.Unix(at, 0).Add(tc.offset))
			if ok != tc.ok {
				t.Fatalf("ok = %v, want %v", ok, tc.ok)
			}
			if ok && step != codeStep {
				t.Fatalf("step = %d, want the code's own step %d", step, codeStep)
			}
			if !ok && step != 0 {
				t.Fatalf("step = %d on failure, want 0", step)
			}
		})
	}
}

// TestVerifyStepZero: at the very first step there is no previous one; the
// code still verifies and nothing underflows.
func TestVerifyStepZero(t *testing.T) {
	code := mustCode(t, rfcSecret, 0)
	step, ok := Verify(rfcSecret, code, time.Unix(5, 0))
	if !ok || step != 0 {
		t.Fatalf("Verify at step 0 = (%d, %v), want (0, true)", step, ok)
	}
	next := mustCode(t, rfcSecret, 1)
	if step, ok := Verify(rfcSecret, next, time.Unix(5, 0)); !ok || step != 1 {
		t.Fatalf("Verify of step 1 at step 0 = (%d, %v), want (1, true)", step, ok)
	}
}

func TestVerifyRejects(t *testing.T) {
	now := time.Unix(59, 0) // RFC vector: "287082" is right here
	tests := []struct {
		name, secret, code string
		now                time.Time
	}{
		{"empty code", rfcSecret, "", now},
		{"five digits", rfcSecret, "28708", now},
		{"seven digits", rfcSecret, "2870820", now},
		{"eight-digit RFC code", rfcSecret, "94287082", now},
		{"leading space", rfcSecret, " 287082", now},
		{"trailing newline", rfcSecret, "287082\n", now},
		{"space in the middle", rfcSecret, "287 082", now},
		{"letter", rfcSecret, "28708a", now},
		{"sign", rfcSecret, "+87082", now},
		{"fullwidth digits", rfcSecret, "２８７０８２", now},
		{"superscript digit", rfcSecret, "²87082", now},
		{"wrong code", rfcSecret, "287083", now},
		{"other secret", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "287082", now},
		{"empty secret", "", mustCode(t, "", 1), now},
		{"80-bit secret", "GEZDGNBVGY3TQOJQ", mustCode(t, "GEZDGNBVGY3TQOJQ", 1), now},
		{"not base32", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJ1", "287082", now},
		{"before the epoch", rfcSecret, "287082", time.Unix(-1, 0)},
		{"far future", rfcSecret, "287082", time.Unix(1<<62, 0)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if step, ok := Verify(tc.secret, tc.code, tc.now); ok || step != 0 {
				t.Fatalf("Verify = (%d, %v), want (0, false)", step, ok)
			}
		})
	}
}

// TestVerifySecretSpelling: apps and users write secrets in lower case and
// without padding; those are the same secret.
func TestVerifySecretSpelling(t *testing.T) {
	tests := []struct{ name, secret string }{
		{"canonical", rfcSecret},
		{"lower case", strings.ToLower(rfcSecret)},
		{"surrounding space", " " + rfcSecret + "\n"},
		{"unpadded odd length", base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString([]byte("12345678901234567890abc"))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code := mustCode(t, tc.secret, 40)
			if step, ok := Verify(tc.secret, code, time.Unix(40*30+7, 0)); !ok || step != 40 {
				t.Fatalf("Verify = (%d, %v), want (40, true)", step, ok)
			}
		})
	}
}

func TestGenerate(t *testing.T) {
	secret, raw, err := Generate("Example Corp", "alice@example.test")
	if err != nil {
		t.Fatal(err)
	}
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret)
	if err != nil {
		t.Fatalf("secret is not unpadded base32: %v", err)
	}
	if len(key) != 20 {
		t.Fatalf("secret is %d bytes, want 20", len(key))
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if u.Scheme != "otpauth" || u.Host != "totp" {
		t.Fatalf("URL %s://%s, want otpauth://totp", u.Scheme, u.Host)
	}
	if want := "/Example Corp:alice@example.test"; u.Path != want {
		t.Fatalf("label = %q, want %q", u.Path, want)
	}
	q := u.Query()
	for k, want := range map[string]string{
		"secret": secret, "issuer": "Example Corp", "algorithm": "SHA1", "digits": "6", "period": "30",
	} {
		if got := q.Get(k); got != want {
			t.Errorf("URL %s = %q, want %q", k, got, want)
		}
	}
	now := time.Unix(1_750_000_000, 0)
	code := mustCode(t, secret, Step(now))
	if step, ok := Verify(secret, code, now); !ok || step != Step(now) {
		t.Fatalf("a generated secret does not verify its own code: (%d, %v)", step, ok)
	}

	other, _, err := Generate("Example Corp", "alice@example.test")
	if err != nil {
		t.Fatal(err)
	}
	if other == secret {
		t.Fatal("two enrolments got the same secret")
	}
}

func TestGenerateRequiresNames(t *testing.T) {
	tests := []struct{ name, issuer, account string }{
		{"no issuer", "", "alice"},
		{"no account", "Example Corp", ""},
		{"neither", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := Generate(tc.issuer, tc.account); err == nil {
				t.Fatal("Generate succeeded, want an error")
			}
		})
	}
}

func TestQRPNG(t *testing.T) {
	_, raw, err := Generate("Example Corp", "alice@example.test")
	if err != nil {
		t.Fatal(err)
	}
	b, err := QRPNG(raw, 256)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if r := img.Bounds(); r.Dx() != 256 || r.Dy() != 256 {
		t.Fatalf("image is %dx%d, want 256x256", r.Dx(), r.Dy())
	}
}

func TestQRPNGRejects(t *testing.T) {
	const good = "otpauth://totp/Example:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example"
	tests := []struct {
		name, url string
		size      int
	}{
		{"not otpauth", "https://example.test/", 256},
		{"empty", "", 256},
		{"too small", good, MinQRSize - 1},
		{"too large", good, MaxQRSize + 1},
		{"negative size", good, -1},
		{"too long to encode", good + "&x=" + strings.Repeat("A", 8000), 256},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := QRPNG(tc.url, tc.size)
			if err == nil {
				t.Fatal("QRPNG succeeded, want an error")
			}
			if strings.Contains(err.Error(), "GEZDGNBV") {
				t.Fatalf("error repeats the secret: %v", err)
			}
		})
	}
}

func TestStep(t *testing.T) {
	tests := []struct {
		name string
		unix int64
		want int64
	}{
		{"epoch", 0, 0},
		{"last second of step 0", 29, 0},
		{"first second of step 1", 30, 1},
		{"RFC vector", 1111111109, 37037036},
		{"before the epoch", -1, -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Step(time.Unix(tc.unix, 0)); got != tc.want {
				t.Fatalf("Step(%d) = %d, want %d", tc.unix, got, tc.want)
			}
		})
	}
}

// FuzzVerify: whatever the secret, code and clock, Verify never panics, and
// when it says yes the code really is the code of the step it returned and
// that step is within one of now.
func FuzzVerify(f *testing.F) {
	for _, v := range rfcVectors {
		f.Add(rfcSecret, v.code, v.unix)
	}
	f.Add("", "000000", int64(0))
	f.Add("gezdgnbvgy3tqojqgezdgnbvgy3tqojq", "287082", int64(89))
	f.Add("====", "１２３４５６", int64(-30))
	f.Add(rfcSecret, "287082", int64(1<<62))
	f.Fuzz(func(t *testing.T, secret, code string, unix int64) {
		now := time.Unix(unix, 0)
		step, ok := Verify(secret, code, now)
		if !ok {
			if step != 0 {
				t.Fatalf("step %d on failure", step)
			}
			return
		}
		if d := step - Step(now); d < -1 || d > 1 {
			t.Fatalf("matched step %d is %d steps from now", step, d)
		}
		if want := mustCode(t, secret, step); want != code {
			t.Fatalf("accepted %q, the code of step %d is %q", code, step, want)
		}
	})
}

// mustCode is the otp library's own code for a step, the oracle the tests
// check Verify against.
func mustCode(t testing.TB, secret string, step int64) string {
	t.Helper()
	code, err := totp.GenerateCodeCustom(strings.TrimSpace(secret), time.Unix(step*30, 0), totp.ValidateOpts{
		Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1,
	})
	if err != nil {
		t.Fatalf("reference code: %v", err)
	}
	return code
}

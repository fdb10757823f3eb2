module github.com/resetbot/resetbot

go 1.26.0

require (
	github.com/FastFilter/xorfilter v0.4.2-0.20260120015552-4e5a4d9df65a // the breached-password filter (binary fuse filters); a pseudo-version because the module proxy lists no tagged version here; this commit has the generic BinaryFuse[uint8] and the reusable BinaryFuseBuilder the filter build uses
	github.com/MicahParks/keyfunc/v3 v3.9.2
	github.com/alicebob/miniredis/v2 v2.40.0 // the demo's embedded Redis and the fast unit tests; the real tests use redis-server
	github.com/bwmarrin/discordgo v0.28.1 // v0.28.1, the newest approved release: v0.29.0 is served but not approved
	github.com/ccojocar/zxcvbn-go v1.0.4 // password strength (the maintained fork of nbutton23/zxcvbn-go)
	github.com/chromedp/cdproto v0.160.1 // chromedp's protocol types: the virtual WebAuthn authenticator (browser tests only)
	github.com/chromedp/chromedp v0.23.1
	github.com/go-asn1-ber/asn1-ber v1.5.8 // the BER value of Active Directory's password policy hints control (go-ldap's own encoder)
	github.com/go-ldap/ldap/v3 v3.4.15
	github.com/go-ldap/ldif v0.0.0-20250910174327-aa3bc3095c92 // tests only: applies the LDIF that resetbot identity export writes to the real slapd
	github.com/go-webauthn/webauthn v0.18.2
	github.com/golang-jwt/jwt/v5 v5.3.1
	github.com/maxmind/mmdbwriter v1.2.0 // tests only (internal/geoiptest): writes the MaxMind-format country databases the risk tests read
	github.com/nicksnyder/go-i18n/v2 v2.7.0 // the message catalogue (CLDR plurals, four languages)
	github.com/oschwald/maxminddb-golang/v2 v2.9.1 // reads the offline MaxMind-format country database of the country risk signal (risk.geoip_db)
	github.com/pquerna/otp v1.5.0
	github.com/prometheus/client_golang v1.25.0
	github.com/redis/go-redis/v9 v9.23.0
	github.com/slack-go/slack v0.36.0
	github.com/yeqown/go-qrcode/v2 v2.3.0 // QR codes for the phone (a maintained encoder; replaced skip2/go-qrcode, last released 2020)
	go.yaml.in/yaml/v3 v3.0.6
	golang.org/x/text v0.44.0
	golang.org/x/time v0.16.0 // rate pacing of chat API calls within each platform's limits
)

require (
	github.com/Azure/go-ntlmssp v0.1.1 // indirect
	github.com/MicahParks/jwkset v0.11.4 // indirect
	github.com/beorn7/perks v1.0.1 // indirect
	github.com/boombuler/barcode v1.0.1-0.20190219062509-6c824513bacc // indirect
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/fxamacker/cbor/v2 v2.9.4 // indirect
	github.com/go-json-experiment/json v0.0.0-20260213210345-44df1a37e875 // indirect
	github.com/go-viper/mapstructure/v2 v2.5.0 // indirect
	github.com/go-webauthn/x v0.3.1 // indirect
	github.com/google/go-tpm v0.9.8 // indirect
	github.com/google/uuid v1.6.0 // indirect
	github.com/gorilla/websocket v1.5.3 // indirect
	github.com/kylelemons/godebug v1.1.0 // indirect
	github.com/munnerz/goautoneg v0.0.0-20191010083416-a7dc8b61c822 // indirect
	github.com/philhofer/fwd v1.2.0 // indirect
	github.com/prometheus/client_model v0.6.3 // indirect
	github.com/prometheus/common v0.72.0 // indirect
	github.com/prometheus/procfs v0.22.0 // indirect
	github.com/tinylib/msgp v1.6.4 // indirect
	github.com/x448/float16 v0.8.4 // indirect
	github.com/yeqown/reedsolomon v1.0.0 // indirect
	github.com/yuin/gopher-lua v1.1.1 // indirect
	go.uber.org/atomic v1.12.0 // indirect
	go4.org/netipx v0.0.0-20231129151722-fdeea329fbba // indirect
	golang.org/x/crypto v0.57.0 // indirect
	golang.org/x/sys v0.50.0 // indirect
	google.golang.org/protobuf v1.36.12 // indirect
)

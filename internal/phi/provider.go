package phi

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/vault/api"
	"github.com/tink-crypto/tink-go-awskms/v2/integration/awskms"
	"github.com/tink-crypto/tink-go-hcvault/v2/integration/hcvault"
	"github.com/tink-crypto/tink-go/v2/aead"
	"github.com/tink-crypto/tink-go/v2/insecurecleartextkeyset"
	"github.com/tink-crypto/tink-go/v2/keyset"
	"github.com/tink-crypto/tink-go/v2/tink"
)

// LocalKeyFile is the name of the development master key file created in the
// data dir when no KMS URI is configured.
const LocalKeyFile = "phi-master-key.json"

// LocalKeyWarning is logged at Warn level whenever the local master key file is in use.
const LocalKeyWarning = "PHI master key is a plain file in the data dir: " +
	"for development only; set IVR_KMS_URI to aws-kms:// or hcvault:// in production"

// ErrKeyFileMode is returned when the local master key file is readable or
// writable by anyone but its owner.
var ErrKeyFileMode = errors.New("phi master key file mode is wider than 0600")

// kekFor returns the key-encryption key named by uri. haveKeysets tells whether
// wrapped keysets already exist, in which case a missing local key file is an
// error rather than something to create.
func kekFor(uri, dataDir string, haveKeysets bool, log *slog.Logger) (tink.AEAD, error) {
	switch {
	case uri == "" || strings.HasPrefix(uri, "file://"):
		path := strings.TrimPrefix(uri, "file://")
		if path == "" {
			path = filepath.Join(dataDir, LocalKeyFile)
		}
		log.Warn(LocalKeyWarning, "path", path)
		return localKEK(path, haveKeysets)
	case strings.HasPrefix(uri, "aws-kms://"):
		return awsKEK(uri)
	case strings.HasPrefix(uri, "hcvault://"):
		return vaultKEK(uri)
	default:
		return nil, errors.New("IVR_KMS_URI: unsupported scheme " +
			"(want file://, aws-kms:// or hcvault://)")
	}
}

// localKEK loads, or creates on first start, a cleartext AES-256-GCM keyset file
// that acts as the master key in development.
func localKEK(path string, haveKeysets bool) (tink.AEAD, error) {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && haveKeysets:
		return nil, fmt.Errorf("phi master key %s is missing but wrapped keysets exist: "+
			"restore the key file or set IVR_KMS_URI to the key that wrapped them", path)
	case errors.Is(err, fs.ErrNotExist):
		return createLocalKEK(path)
	case err != nil:
		return nil, fmt.Errorf("phi master key: %w", err)
	}
	if mode := fi.Mode().Perm(); mode&0o077 != 0 {
		return nil, fmt.Errorf("%w: %s has mode %04o, run chmod 600", ErrKeyFileMode, path, mode)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("phi master key: %w", err)
	}
	defer f.Close()
	h, err := insecurecleartextkeyset.Read(keyset.NewJSONReader(f))
	if err != nil {
		return nil, fmt.Errorf("phi master key %s is not a valid keyset: %w", path, err)
	}
	return newAEAD(h, "phi master key")
}

func createLocalKEK(path string) (tink.AEAD, error) {
	h, err := keyset.NewHandle(aead.AES256GCMKeyTemplate())
	if err != nil {
		return nil, fmt.Errorf("create phi master key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create phi master key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create phi master key: %w", err)
	}
	if err := insecurecleartextkeyset.Write(h, keyset.NewJSONWriter(f)); err != nil {
		f.Close()
		return nil, fmt.Errorf("write phi master key: %w", err)
	}
	if err := syncClose(f); err != nil {
		return nil, fmt.Errorf("write phi master key: %w", err)
	}
	return newAEAD(h, "phi master key")
}

// awsKEK returns an AEAD backed by the AWS KMS key named by uri
// (aws-kms://arn:aws:kms:<region>:<account>:key/<id>). Credentials come from the
// AWS SDK's default chain (environment, shared config, instance role).
func awsKEK(uri string) (tink.AEAD, error) {
	c, err := awskms.NewClientWithOptions(uri)
	if err != nil {
		return nil, fmt.Errorf("IVR_KMS_URI: aws kms client: %w", err)
	}
	a, err := c.GetAEAD(uri)
	if err != nil {
		return nil, fmt.Errorf("IVR_KMS_URI: aws kms key: %w", err)
	}
	return a, nil
}

// vaultKEK returns an AEAD backed by a Vault transit key named by uri
// (hcvault://<host>[:port]/transit/keys/<name>). The server is reached over
// HTTPS at the URI's host; the token and TLS settings come from Vault's usual
// environment variables (VAULT_TOKEN, VAULT_CACERT, VAULT_SKIP_VERIFY...).
func vaultKEK(uri string) (tink.AEAD, error) {
	u, err := url.Parse(uri)
	if err != nil || u.Host == "" {
		return nil, errors.New("IVR_KMS_URI: malformed hcvault URI " +
			"(want hcvault://host/transit/keys/name)")
	}
	cfg := api.DefaultConfig()
	if cfg.Error != nil {
		return nil, fmt.Errorf("IVR_KMS_URI: vault config: %w", cfg.Error)
	}
	cfg.Address = "https://" + u.Host
	client, err := api.NewClient(cfg)
	if err != nil {
		return nil, fmt.Errorf("IVR_KMS_URI: vault client: %w", err)
	}
	if client.Token() == "" {
		return nil, fmt.Errorf("IVR_KMS_URI: hcvault needs VAULT_TOKEN")
	}
	kc, err := hcvault.NewClientWithAEADOptions(uri, client.Logical())
	if err != nil {
		return nil, fmt.Errorf("IVR_KMS_URI: vault kms client: %w", err)
	}
	a, err := kc.GetAEAD(uri)
	if err != nil {
		return nil, fmt.Errorf("IVR_KMS_URI: vault key: %w", err)
	}
	return a, nil
}

func newAEAD(h *keyset.Handle, what string) (tink.AEAD, error) {
	a, err := aead.New(h)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return a, nil
}

func syncClose(f *os.File) error {
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

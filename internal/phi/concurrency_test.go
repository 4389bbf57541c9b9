package phi

import (
	"context"
	"fmt"
	"sync"
	"testing"
)

// TestConcurrentRotation runs encrypts, decrypts, blind indexes and document
// streams while the keys rotate; run with -race. No operation may fail.
func TestConcurrentRotation(t *testing.T) {
	dir := t.TempDir()
	kek := MustCountingKEK(t)
	k := MustOpen(t, dir, kek)
	peer := MustOpen(t, dir, kek) // a second process on the same data dir
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for w := range 4 {
		wg.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				if err := roundTrip(k, peer, w, i); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	for range 10 {
		if err := k.Rotate(context.Background()); err != nil {
			t.Error(err)
		}
	}
	cancel()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func roundTrip(k, peer *Keyring, w, i int) error {
	id := FieldID{"patients", "last_name", fmt.Sprintf("%d-%d", w, i)}
	want := fmt.Sprintf("name %d", i)
	ct, err := k.EncryptString(want, id)
	if err != nil {
		return err
	}
	for _, r := range []*Keyring{k, peer} {
		got, err := r.DecryptString(ct, id)
		if err != nil {
			return err
		}
		if got != want {
			return fmt.Errorf("decrypt = %q, want %q", got, want)
		}
	}
	if _, err := k.Reencrypt(ct, id); err != nil {
		return err
	}
	if _, err := k.MRNIndex(want); err != nil {
		return err
	}
	if i%20 != 0 {
		return nil
	}
	doc, err := encryptStream(k, []byte(want), []byte(id.RowID))
	if err != nil {
		return err
	}
	got, err := decryptStream(peer, doc, []byte(id.RowID))
	if err != nil || string(got) != want {
		return fmt.Errorf("document round trip: %q, %v", got, err)
	}
	return nil
}

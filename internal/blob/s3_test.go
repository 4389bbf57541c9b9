package blob_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/openivr/ivr/internal/blob"
)

// MustS3Emulator starts gofakes3, an in-process S3 EMULATOR (not real S3), with
// one bucket, and returns an S3Store on it driven by the real AWS SDK client.
// It also returns the raw client so tests can look at what the bucket holds.
func MustS3Emulator(tb testing.TB) (*blob.S3Store, *s3.Client) {
	s, c, _ := mustS3EmulatorCounting(tb)
	return s, c
}

// mustS3EmulatorCounting is MustS3Emulator that also counts the requests that
// carry a multipart upload id (UploadPart, Complete, Abort).
func mustS3EmulatorCounting(tb testing.TB) (*blob.S3Store, *s3.Client, *atomic.Int64) {
	tb.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket("documents"); err != nil {
		tb.Fatal(err)
	}
	var multipart atomic.Int64
	fake := gofakes3.New(backend).Server()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Has("uploadId") {
			multipart.Add(1)
		}
		fake.ServeHTTP(w, r)
	}))
	tb.Cleanup(srv.Close)
	client := s3.New(s3.Options{
		BaseEndpoint: aws.String(srv.URL),
		Region:       "us-east-1",
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
	s, err := blob.NewS3Store(client, "documents", "ivr/")
	if err != nil {
		tb.Fatal(err)
	}
	blob.SetPartSize(s, 0) // the 5 MiB minimum, so multipart is reachable in tests
	return s, client, &multipart
}

func TestS3StoreOnEmulator(t *testing.T) {
	testStore(t, func(t *testing.T) blob.Store {
		s, _ := MustS3Emulator(t)
		return s
	})
}

func TestEncryptedS3StoreOnEmulator(t *testing.T) {
	testStore(t, func(t *testing.T) blob.Store {
		s, _ := MustS3Emulator(t)
		return blob.NewEncryptedStore(s, MustKeyring(t))
	})
}

func TestS3Multipart(t *testing.T) {
	s, client, multipart := mustS3EmulatorCounting(t)
	body := make([]byte, 12<<20+123) // three parts of 5 MiB at most
	rand.Read(body)
	MustPut(t, s, "big/object", body)
	if got, want := multipart.Load(), int64(4); got != want { // 3 parts + complete
		t.Errorf("multipart requests = %d, want %d", got, want)
	}
	if got := MustGet(t, s, "big/object"); !bytes.Equal(got, body) {
		t.Fatalf("multipart round trip differs (%d bytes back)", len(got))
	}
	head, err := client.HeadObject(context.Background(), &s3.HeadObjectInput{
		Bucket: aws.String("documents"), Key: aws.String("ivr/big/object"),
	})
	if err != nil {
		t.Fatalf("HeadObject with prefix: %v", err)
	}
	if got := aws.ToInt64(head.ContentLength); got != int64(len(body)) {
		t.Errorf("stored length = %d, want %d", got, len(body))
	}
	// A source failing after the first part leaves no object.
	r := blob.LimitReader(bytes.NewReader(body), 7<<20)
	_, err = s.Put(context.Background(), "big/failed", r)
	var tl *blob.TooLargeError
	if !errors.As(err, &tl) {
		t.Fatalf("Put over the limit: err = %v, want *TooLargeError", err)
	}
	if _, err := s.Get(context.Background(), "big/failed"); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("Get after a failed multipart Put: err = %v, want ErrNotFound", err)
	}
}

func TestOpenS3URL(t *testing.T) {
	tests := []struct {
		url     string
		wantErr bool
	}{
		{"s3://bucket", false},
		{"s3://bucket/prefix/?region=eu-west-1&endpoint=https://minio:9000&path_style=true", false},
		{"https://bucket", true},
		{"s3:///nobucket", true},
		{"s3://b?path_style=maybe", true},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			t.Setenv("AWS_REGION", "us-east-1")
			_, err := blob.OpenS3(context.Background(), tt.url)
			if (err != nil) != tt.wantErr {
				t.Errorf("OpenS3 err = %v, wantErr %v", err, tt.wantErr)
			}
		})
	}
}

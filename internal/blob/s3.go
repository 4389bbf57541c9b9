package blob

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// DefaultPartSize is the size of one multipart-upload part. Objects smaller than
// this go up in a single PutObject.
const DefaultPartSize int64 = 8 << 20

// minPartSize is S3's smallest part (except the last).
const minPartSize int64 = 5 << 20

// S3Store keeps objects in a bucket of any S3-compatible object store.
// Put is atomic as S3 makes it: an object appears only when its single PUT or
// its multipart upload completes; a failed multipart upload is aborted.
type S3Store struct {
	client   *s3.Client
	bucket   string
	prefix   string
	partSize int64
}

var _ Store = (*S3Store)(nil)

// NewS3Store returns a store on bucket using client. prefix (for instance
// "ivr/") is put before every key.
func NewS3Store(client *s3.Client, bucket, prefix string) (*S3Store, error) {
	if client == nil || bucket == "" {
		return nil, errors.New("s3 blob store: client and bucket are required")
	}
	return &S3Store{client: client, bucket: bucket, prefix: prefix, partSize: DefaultPartSize}, nil
}

// OpenS3 builds an S3Store from a URL (IVR_BLOB_URL) of the form
//
//	s3://<bucket>[/<prefix>][?region=<r>&endpoint=<https://host:port>&path_style=true]
//
// Credentials come from the AWS SDK's default chain (environment, shared
// config, instance or task role). endpoint and path_style serve S3-compatible
// stores such as MinIO or Ceph.
func OpenS3(ctx context.Context, rawURL string) (*S3Store, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme != "s3" || u.Host == "" {
		return nil, errors.New("IVR_BLOB_URL: want s3://bucket[/prefix]")
	}
	q := u.Query()
	pathStyle := false
	if v := q.Get("path_style"); v != "" {
		if pathStyle, err = strconv.ParseBool(v); err != nil {
			return nil, errors.New("IVR_BLOB_URL: path_style must be true or false")
		}
	}
	var opts []func(*config.LoadOptions) error
	if r := q.Get("region"); r != "" {
		opts = append(opts, config.WithRegion(r))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("IVR_BLOB_URL: aws config: %w", err)
	}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		if ep := q.Get("endpoint"); ep != "" {
			o.BaseEndpoint = aws.String(ep)
		}
		o.UsePathStyle = pathStyle
	})
	prefix := ""
	if p := u.Path; len(p) > 1 {
		prefix = p[1:]
	}
	return NewS3Store(client, u.Host, prefix)
}

func (s *S3Store) objectKey(key string) *string { return aws.String(s.prefix + key) }

// Put uploads r under key: one PutObject when r ends within one part, a
// multipart upload otherwise. It returns the number of bytes stored.
func (s *S3Store) Put(ctx context.Context, key string, r io.Reader) (int64, error) {
	if err := ValidateKey(key); err != nil {
		return 0, fmt.Errorf("put blob: %w", err)
	}
	buf := make([]byte, s.partSize)
	n, err := io.ReadFull(r, buf)
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		_, err := s.client.PutObject(ctx, &s3.PutObjectInput{
			Bucket: aws.String(s.bucket), Key: s.objectKey(key),
			Body: bytes.NewReader(buf[:n]), ContentLength: aws.Int64(int64(n)),
		})
		if err != nil {
			return 0, fmt.Errorf("put blob: %w", err)
		}
		return int64(n), nil
	}
	if err != nil {
		return 0, err // the source's own error, e.g. *TooLargeError
	}
	return s.putMultipart(ctx, key, buf, r)
}

// putMultipart uploads first (a full part already read) and the rest of r as
// a multipart upload, aborting it on any error so no partial object remains.
func (s *S3Store) putMultipart(ctx context.Context, key string, first []byte,
	r io.Reader) (int64, error) {
	up, err := s.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{
		Bucket: aws.String(s.bucket), Key: s.objectKey(key),
	})
	if err != nil {
		return 0, fmt.Errorf("put blob: start upload: %w", err)
	}
	parts, total, err := s.uploadParts(ctx, up.UploadId, key, first, r)
	if err == nil {
		_, err = s.client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
			Bucket: aws.String(s.bucket), Key: s.objectKey(key), UploadId: up.UploadId,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
		})
	}
	if err != nil {
		// A fresh context: the abort must run even if ctx was cancelled.
		_, _ = s.client.AbortMultipartUpload(context.WithoutCancel(ctx), &s3.AbortMultipartUploadInput{
			Bucket: aws.String(s.bucket), Key: s.objectKey(key), UploadId: up.UploadId,
		})
		return 0, err
	}
	return total, nil
}

func (s *S3Store) uploadParts(ctx context.Context, id *string, key string, buf []byte,
	r io.Reader) ([]types.CompletedPart, int64, error) {
	var parts []types.CompletedPart
	var total int64
	n, num := len(buf), int32(1)
	for n > 0 {
		out, err := s.client.UploadPart(ctx, &s3.UploadPartInput{
			Bucket: aws.String(s.bucket), Key: s.objectKey(key), UploadId: id,
			PartNumber: aws.Int32(num), Body: bytes.NewReader(buf[:n]),
			ContentLength: aws.Int64(int64(n)),
		})
		if err != nil {
			return nil, 0, fmt.Errorf("put blob: part %d: %w", num, err)
		}
		parts = append(parts, types.CompletedPart{ETag: out.ETag, PartNumber: aws.Int32(num)})
		total += int64(n)
		num++
		var rerr error
		n, rerr = io.ReadFull(r, buf)
		if rerr != nil && !errors.Is(rerr, io.EOF) && !errors.Is(rerr, io.ErrUnexpectedEOF) {
			return nil, 0, rerr // the source's own error
		}
	}
	return parts, total, nil
}

// Get returns the object under key, or ErrNotFound.
func (s *S3Store) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := ValidateKey(key); err != nil {
		return nil, fmt.Errorf("get blob: %w", err)
	}
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{
		Bucket: aws.String(s.bucket), Key: s.objectKey(key),
	})
	var nsk *types.NoSuchKey
	if errors.As(err, &nsk) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("get blob: %w", err)
	}
	return out.Body, nil
}

// Delete removes the object under key; S3 treats a missing key as deleted.
func (s *S3Store) Delete(ctx context.Context, key string) error {
	if err := ValidateKey(key); err != nil {
		return fmt.Errorf("delete blob: %w", err)
	}
	_, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{
		Bucket: aws.String(s.bucket), Key: s.objectKey(key),
	})
	if err != nil {
		return fmt.Errorf("delete blob: %w", err)
	}
	return nil
}

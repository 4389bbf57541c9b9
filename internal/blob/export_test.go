package blob

// SetPartSize lets tests exercise multipart uploads with small objects; S3's
// minimum part size still applies.
func SetPartSize(s *S3Store, n int64) { s.partSize = max(n, minPartSize) }

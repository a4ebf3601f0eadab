package lake

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// S3Options configure the client of an S3-compatible bucket. Credentials
// come from the standard AWS chain (AWS_ACCESS_KEY_ID and
// AWS_SECRET_ACCESS_KEY, a shared profile, an instance role), never from here.
type S3Options struct {
	// Endpoint is the service's URL (http://127.0.0.1:7070); empty is AWS.
	Endpoint string
	// Region defaults to the AWS chain's (AWS_REGION, a profile's), else
	// us-east-1.
	Region string
	// PathStyle addresses the bucket in the path (most S3-compatible
	// servers) rather than in the host name.
	PathStyle bool
}

// S3Storage is Storage in an S3-compatible bucket under a key prefix.
type S3Storage struct {
	client   *s3.Client
	uploader *manager.Uploader
	bucket   string
	prefix   string // "" or ending in "/"
}

var _ Storage = (*S3Storage)(nil)

// uploadPartSize is the part size of multipart uploads: files up to it go
// in one PUT, larger ones in parts sent concurrently.
const uploadPartSize = 16 << 20

// OpenS3 connects to the bucket an s3://bucket/prefix URL names and checks
// it can list it, so a wrong URL, endpoint or credentials stop a process at
// startup with a clear error.
func OpenS3(ctx context.Context, rawURL string, opts S3Options) (*S3Storage, error) {
	bucket, prefix, err := ParseS3URL(rawURL)
	if err != nil {
		return nil, err
	}
	var load []func(*awsconfig.LoadOptions) error
	if opts.Region != "" {
		load = append(load, awsconfig.WithRegion(opts.Region))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, load...)
	if err != nil {
		return nil, fmt.Errorf("lake storage %s: load AWS configuration: %w", rawURL, err)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		if opts.Endpoint != "" {
			o.BaseEndpoint = aws.String(opts.Endpoint)
		}
		o.UsePathStyle = opts.PathStyle
		// S3-compatible servers differ in the checksums they accept; send
		// and check them only where the operation requires one.
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	})
	s := &S3Storage{client: client, bucket: bucket, prefix: prefix,
		uploader: manager.NewUploader(client, func(u *manager.Uploader) { u.PartSize = uploadPartSize })}
	_, err = client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix), MaxKeys: aws.Int32(1)})
	if err != nil {
		return nil, fmt.Errorf("lake storage %s: list the bucket: %w", rawURL, err)
	}
	return s, nil
}

// ParseS3URL splits s3://bucket/prefix into the bucket and the key prefix
// ("" or ending in "/").
func ParseS3URL(rawURL string) (bucket, prefix string, err error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme != "s3" || u.Host == "" || u.RawQuery != "" || u.User != nil {
		return "", "", fmt.Errorf("lake storage %q: want s3://bucket/prefix", rawURL)
	}
	prefix = strings.Trim(u.Path, "/")
	if prefix != "" {
		prefix += "/"
	}
	return u.Host, prefix, nil
}

// URL returns s3://bucket/prefix/.
func (s *S3Storage) URL() string { return "s3://" + s.bucket + "/" + s.prefix }

// Sub returns the storage under prefix/dir/.
func (s *S3Storage) Sub(dir string) Storage {
	sub := *s
	sub.prefix = keyJoin(s.prefix, dir) + "/"
	return &sub
}

func (s *S3Storage) key(key string) *string { return aws.String(s.prefix + key) }

// Put uploads a file, in parts when it is larger than uploadPartSize; the
// object appears whole when the upload completes.
func (s *S3Storage) Put(ctx context.Context, key, localFile string) error {
	f, err := os.Open(localFile) //nolint:gosec // a file the lake wrote
	if err != nil {
		return fmt.Errorf("upload %s: %w", key, err)
	}
	defer f.Close()
	if _, err := s.uploader.Upload(ctx, &s3.PutObjectInput{Bucket: aws.String(s.bucket), Key: s.key(key), Body: f}); err != nil {
		return fmt.Errorf("upload %s: %w", key, err)
	}
	return nil
}

// Fetch downloads an object into dst.
func (s *S3Storage) Fetch(ctx context.Context, key, dst string) error {
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.bucket), Key: s.key(key)})
	if err != nil {
		return fmt.Errorf("download %s: %w", key, err)
	}
	defer out.Body.Close()
	f, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o640) //nolint:gosec // a path inside the lake
	if err != nil {
		return fmt.Errorf("download %s: %w", key, err)
	}
	_, err = io.Copy(f, out.Body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("download %s: %w", key, err)
	}
	return nil
}

// Delete removes an object.
func (s *S3Storage) Delete(ctx context.Context, key string) error {
	if _, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(s.bucket), Key: s.key(key)}); err != nil && !notFound(err) {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	return nil
}

// Head describes an object.
func (s *S3Storage) Head(ctx context.Context, key string) (ObjectInfo, bool, error) {
	out, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(s.bucket), Key: s.key(key)})
	if notFound(err) {
		return ObjectInfo{}, false, nil
	}
	if err != nil {
		return ObjectInfo{}, false, fmt.Errorf("look up %s: %w", key, err)
	}
	return ObjectInfo{Key: key, Size: aws.ToInt64(out.ContentLength), Modified: aws.ToTime(out.LastModified)}, true, nil
}

// List pages through the objects under prefix.
func (s *S3Storage) List(ctx context.Context, prefix string) ([]ObjectInfo, error) {
	var out []ObjectInfo
	pages := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{Bucket: aws.String(s.bucket), Prefix: s.key(prefix)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", s.URL()+prefix, err)
		}
		for _, o := range page.Contents {
			out = append(out, ObjectInfo{Key: strings.TrimPrefix(aws.ToString(o.Key), s.prefix), Size: aws.ToInt64(o.Size), Modified: aws.ToTime(o.LastModified)})
		}
	}
	return out, nil
}

// notFound reports a missing object or key.
func notFound(err error) bool {
	if err == nil {
		return false
	}
	var nsk *types.NoSuchKey
	var nf *types.NotFound
	var api smithy.APIError
	return errors.As(err, &nsk) || errors.As(err, &nf) || (errors.As(err, &api) && api.ErrorCode() == "NotFound")
}

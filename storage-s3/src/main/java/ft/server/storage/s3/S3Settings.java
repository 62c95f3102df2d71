package ft.server.storage.s3;

import java.net.URI;
import java.time.Duration;

/**
 * How ft talks to an S3 store. Credentials and region are never settings: they come from the AWS
 * SDK's default providers (environment, system properties, profiles).
 *
 * @param pathStyle             address buckets as {@code http://host/bucket/key} (most self-hosted
 *                              S3 servers need it) instead of {@code http://bucket.host/key}
 * @param checksumsWhenRequired send and check the SDK's CRC checksums only where an operation
 *                              requires them: older S3 servers reject the headers the SDK sends by
 *                              default
 * @param partSize              bytes per multipart part and the largest file sent in one PUT; at
 *                              least 5 MiB (S3's minimum part)
 * @param lease                 how long another server waits for a dead server's upload of a name
 *                              before it takes over
 * @param endpoint              the S3 endpoint, or null for the SDK's default (AWS, or
 *                              {@code AWS_ENDPOINT_URL})
 */
public record S3Settings(
        boolean pathStyle, boolean checksumsWhenRequired, long partSize, Duration lease, URI endpoint) {
    /** S3's smallest part (except the last). */
    public static final long MIN_PART_SIZE = 5L * 1024 * 1024;
    /** S3's largest part. */
    public static final long MAX_PART_SIZE = 5L * 1024 * 1024 * 1024;

    public static final long DEFAULT_PART_SIZE = 8L * 1024 * 1024;
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(30);

    public S3Settings {
        if (partSize < MIN_PART_SIZE || partSize > MAX_PART_SIZE) {
            throw new IllegalArgumentException("the S3 part size must be between 5 MiB and 5 GiB, not " + partSize);
        }
        // The part buffers are Java arrays.
        if (partSize > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("the S3 part size must be below 2 GiB here, not " + partSize);
        }
        if (lease == null || lease.toMillis() < 300) {
            throw new IllegalArgumentException("the S3 lease must be at least 300 ms, not " + lease);
        }
    }

    /** Virtual-host addressing, the SDK's checksums, 8 MiB parts, a 30 s lease, the default endpoint. */
    public static S3Settings defaults() {
        return new S3Settings(false, false, DEFAULT_PART_SIZE, DEFAULT_LEASE, null);
    }

    public S3Settings withPathStyle(boolean on) {
        return new S3Settings(on, checksumsWhenRequired, partSize, lease, endpoint);
    }

    public S3Settings withChecksumsWhenRequired(boolean on) {
        return new S3Settings(pathStyle, on, partSize, lease, endpoint);
    }

    public S3Settings withPartSize(long bytes) {
        return new S3Settings(pathStyle, checksumsWhenRequired, bytes, lease, endpoint);
    }

    public S3Settings withLease(Duration d) {
        return new S3Settings(pathStyle, checksumsWhenRequired, partSize, d, endpoint);
    }

    public S3Settings withEndpoint(URI uri) {
        return new S3Settings(pathStyle, checksumsWhenRequired, partSize, lease, uri);
    }
}

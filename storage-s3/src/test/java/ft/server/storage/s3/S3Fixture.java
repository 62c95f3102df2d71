package ft.server.storage.s3;

import ft.testing.S3ProxyServer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * One S3Proxy for a test class, a fresh bucket per test, and S3Storage instances on it. The SDK
 * takes credentials only from its default providers, as in production: here the JVM's system
 * properties aws.accessKeyId / aws.secretAccessKey (one S3Proxy identity for all tests).
 */
final class S3Fixture implements AutoCloseable {
    private static final AtomicInteger BUCKETS = new AtomicInteger();

    final S3ProxyServer s3;
    private final List<S3Storage> opened = new ArrayList<>();

    private S3Fixture(S3ProxyServer s3) {
        this.s3 = s3;
    }

    static S3Fixture start() throws IOException, InterruptedException {
        S3ProxyServer s3 = S3ProxyServer.start();
        System.setProperty("aws.accessKeyId", s3.accessKey());
        System.setProperty("aws.secretAccessKey", s3.secretKey());
        System.setProperty("aws.region", "us-east-1");
        return new S3Fixture(s3);
    }

    /** A new, empty bucket. */
    String newBucket() throws IOException {
        String name = "ft-test-" + BUCKETS.incrementAndGet();
        s3.createBucket(name);
        return name;
    }

    S3Settings settings() {
        return S3Settings.defaults()
                .withPathStyle(true)
                .withEndpoint(s3.endpoint())
                .withPartSize(S3Settings.MIN_PART_SIZE);
    }

    /** A store (another "server") on {@code location}; closed by {@link #closeStores()}. */
    S3Storage open(String location, S3Settings settings) {
        S3Storage s = S3Storage.open(S3Location.parse(location), settings);
        synchronized (opened) {
            opened.add(s);
        }
        return s;
    }

    /** A raw SDK client on the same S3Proxy, for what ft itself would not do. */
    S3Client rawClient() {
        return rawClient(s3);
    }

    /** A raw SDK client on {@code s3}: path-style, its identity, the JDK's HTTP client. */
    static S3Client rawClient(S3ProxyServer s3) {
        return S3Client.builder()
                .endpointOverride(s3.endpoint())
                .region(Region.US_EAST_1)
                .forcePathStyle(true)
                .httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(
                        StaticCredentialsProvider.create(AwsBasicCredentials.create(s3.accessKey(), s3.secretKey())))
                .build();
    }

    void closeStores() {
        synchronized (opened) {
            opened.forEach(S3Storage::close);
            opened.clear();
        }
    }

    @Override
    public void close() {
        closeStores();
        s3.close();
    }
}

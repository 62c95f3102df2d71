package ft.server.storage.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ft.protocol.ErrorCode;
import ft.protocol.Request;
import ft.protocol.Response;
import ft.server.FtServer;
import ft.testing.RawClient;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A whole ft server on an S3 store (S3Proxy), spoken to over the wire: what a client of
 * {@code ft serve --store s3://…} sees, including a store that stops answering and the metrics
 * of its S3 calls.
 */
class S3ServedTest {
    private static final InetSocketAddress ANY_PORT = new InetSocketAddress("127.0.0.1", 0);
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private static S3Fixture fixture;

    @BeforeAll
    static void startS3() throws Exception {
        fixture = S3Fixture.start();
    }

    @AfterAll
    static void stopS3() {
        fixture.close();
    }

    private static FtServer serve(String bucket) throws Exception {
        return FtServer.start(FtServer.Options.of(
                        S3Store.opener(S3Location.parse("s3://" + bucket + "/served"), fixture.settings()), ANY_PORT)
                .withMetrics(ANY_PORT));
    }

    @Test
    void aMultipartPutAndARangedGetGoThroughTheWireVerified() throws Exception {
        String bucket = fixture.newBucket();
        byte[] content = new byte[(int) (2.5 * S3Settings.MIN_PART_SIZE)];
        new Random(16).nextBytes(content);
        try (FtServer server = serve(bucket);
                RawClient client = RawClient.hello(server.address())) {
            assertEquals("s3://" + bucket + "/served", server.served());
            Response.PutDone done = client.put("dir/big.bin", content);
            assertEquals(RawClient.md5(content), done.md5());
            RawClient.Fetched whole = client.get("dir/big.bin");
            assertArrayEquals(content, whole.body());
            assertEquals(RawClient.md5(content), whole.header().md5());
            RawClient.Fetched tail = client.get("dir/big.bin", 7_000_001, RawClient.md5(content));
            assertEquals(7_000_001, tail.header().offset());
            assertArrayEquals(java.util.Arrays.copyOfRange(content, 7_000_001, content.length), tail.body());
        }
        // The object sits under the prefix, with ft's MD5 in its metadata, for any other server.
        try (var raw = fixture.rawClient()) {
            var head = raw.headObject(b -> b.bucket(bucket).key("served/dir/big.bin"));
            assertEquals(RawClient.md5(content).toString(), head.metadata().get("ft-md5"));
        }
    }

    @Test
    void aStoreThatStopsAnsweringIsBusyToClientsAndUnhealthyToBalancers() throws Exception {
        String bucket = fixture.newBucket();
        try (FtServer server = serve(bucket);
                RawClient client = RawClient.hello(server.address())) {
            client.put("a.txt", "hello".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertEquals(200, fetch(server, "/healthz").statusCode());
            fixture.s3.stop();
            try {
                Response.Error refused = client.expectError(new Request.Stat("a.txt", 0), ErrorCode.BUSY);
                assertTrue(refused.message().contains("storage is not answering"), refused.message());
                HttpResponse<String> health = fetch(server, "/healthz");
                assertEquals(503, health.statusCode(), health.body());
            } finally {
                fixture.s3.startAgain();
            }
            // The connection stayed usable: the next request is answered once the store is back.
            assertEquals(200, fetch(server, "/healthz").statusCode());
            client.request(new Request.Stat("a.txt", 0), Response.StatOk.class);
        }
    }

    @Test
    void eachS3CallIsTimedByItsOperationName() throws Exception {
        String bucket = fixture.newBucket();
        try (FtServer server = serve(bucket);
                RawClient client = RawClient.hello(server.address())) {
            double before = count(fetch(server, "/metrics").body(), "HeadObject");
            client.request(new Request.Stat("missing.txt", 0), Response.Error.class);
            client.put("p.txt", "x".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            String after = fetch(server, "/metrics").body();
            assertTrue(count(after, "HeadObject") > before, after);
            assertTrue(count(after, "PutObject") >= 1, after);
        }
    }

    private static double count(String metrics, String op) {
        Matcher m = Pattern.compile("ft_storage_request_seconds_count\\{backend=\"s3\",op=\"" + op + "\"} (\\S+)")
                .matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    private static HttpResponse<String> fetch(FtServer server, String path) throws Exception {
        InetSocketAddress at = server.metricsAddress();
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + at.getPort() + path))
                        .timeout(Duration.ofSeconds(20))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}

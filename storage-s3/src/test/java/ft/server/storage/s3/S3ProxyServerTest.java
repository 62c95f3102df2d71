package ft.server.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ft.testing.S3ProxyServer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;

/** The S3Proxy fixture itself: a real S3 that keeps its data across a SIGKILL and restart. */
class S3ProxyServerTest {
    @Test
    void bucketAndObjectSurviveAKillAndRestartOnTheSamePort() throws Exception {
        try (S3ProxyServer s3 = S3ProxyServer.start()) {
            s3.createBucket("fixture");
            try (S3Client client = S3Fixture.rawClient(s3)) {
                assertThatThrownBy(() -> client.headBucket(b -> b.bucket("absent")))
                        .isInstanceOf(NoSuchBucketException.class);
                client.putObject(b -> b.bucket("fixture").key("k"), RequestBody.fromString("hello"));
                long before = s3.pid();
                s3.restart();
                assertThat(s3.pid()).isNotEqualTo(before);
                assertThat(client.getObjectAsBytes(b -> b.bucket("fixture").key("k"))
                                .asString(StandardCharsets.UTF_8))
                        .isEqualTo("hello");
            }
        }
    }
}

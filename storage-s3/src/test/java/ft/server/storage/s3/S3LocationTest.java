package ft.server.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class S3LocationTest {
    @Test
    void parsesBucketAndPrefix() {
        assertThat(S3Location.parse("s3://bucket")).isEqualTo(new S3Location("bucket", ""));
        assertThat(S3Location.parse("s3://bucket/")).isEqualTo(new S3Location("bucket", ""));
        assertThat(S3Location.parse("s3://my-bucket.1/a/b/")).isEqualTo(new S3Location("my-bucket.1", "a/b"));
        assertThat(S3Location.parse("s3://bucket/a/b").toString()).isEqualTo("s3://bucket/a/b");
    }

    @Test
    void refusesAnythingElseSayingWhy() {
        for (String bad : new String[] {
            "bucket",
            "/tmp/x",
            "http://bucket/x",
            "s3://",
            "s3:///x",
            "s3://Bucket",
            "s3://b",
            "s3://bucket/a//b",
            "s3://bucket/../x",
            "s3://bucket/x?y=1",
            "s3://user@bucket"
        }) {
            assertThatThrownBy(() -> S3Location.parse(bad))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("s3://");
        }
    }

    @Test
    void settingsRefuseAPartBelowFiveMibAndATinyLease() {
        S3Settings d = S3Settings.defaults();
        assertThat(d.partSize()).isEqualTo(8L << 20);
        assertThat(d.lease()).isEqualTo(Duration.ofSeconds(10));
        assertThat(d.endpoint()).isNull();
        assertThatThrownBy(() -> d.withPartSize((5L << 20) - 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> d.withLease(Duration.ofMillis(10))).isInstanceOf(IllegalArgumentException.class);
    }
}

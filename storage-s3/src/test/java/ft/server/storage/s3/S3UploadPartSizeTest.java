package ft.server.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class S3UploadPartSizeTest {
    private static final long MIB = 1L << 20;
    private static final long EIGHT = 8 * MIB;

    @Test
    void filesThatFitInTenThousandConfiguredPartsKeepTheConfiguredSize() {
        assertThat(S3Upload.partSizeFor(EIGHT + 1, EIGHT)).isEqualTo(EIGHT);
        assertThat(S3Upload.partSizeFor(EIGHT * 10_000, EIGHT)).isEqualTo(EIGHT);
    }

    @Test
    void largerFilesGetTheSmallestWholeMibPartsThatFitInTenThousand() {
        for (long size : new long[] {EIGHT * 10_000 + 1, 100L << 30, 1L << 40, 9L << 40}) {
            long part = S3Upload.partSizeFor(size, EIGHT);
            assertThat(part % MIB).as("whole MiB for %d", size).isZero();
            assertThat((size + part - 1) / part).as("parts of %d", size).isLessThanOrEqualTo(10_000);
            assertThat((size + part - MIB - 1) / (part - MIB))
                    .as("one MiB less would need more parts for %d", size)
                    .isGreaterThan(10_000);
        }
        assertThat(S3Upload.partSizeFor(1L << 40, EIGHT)).isEqualTo(105 * MIB);
    }
}

package ft.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, finding 8: a shared download directory where another local user planted the
 * names a download keeps its partial under ({@code .NAME.ftpart}, its {@code .meta.tmp}) as
 * symbolic links to a file of the victim's. Nothing may be written through them.
 */
class PlantedPartialTest extends CliHarness {
    private static final String CANARY = "the victim's file, which must not change\n";

    @Test
    void aPlantedPartialLinkIsNotWrittenThroughAndTheDownloadIsCorrect() throws IOException {
        byte[] data = random(64 * 1024, 3);
        Files.write(Files.createDirectories(root).resolve("x.bin"), data);
        Path canary = Files.writeString(tmp.resolve("canary"), CANARY);
        Files.createSymbolicLink(local.resolve(".x.bin.ftpart"), canary);

        Run get = ft("get", "x.bin", "-o", local.resolve("x.bin").toString());
        assertThat(get.exit()).as(get.err()).isZero();
        assertThat(canary).hasContent(CANARY);
        Path got = local.resolve("x.bin");
        assertThat(Files.isSymbolicLink(got))
                .as("the link itself was put in place")
                .isFalse();
        assertThat(got).hasBinaryContent(data);
        assertThat(local.resolve(".x.bin.ftpart")).doesNotExist();
    }

    @Test
    void aPlantedLinkWithAResumableMetaIsNotResumedInto() throws IOException {
        byte[] data = random(64 * 1024, 4);
        Files.write(Files.createDirectories(root).resolve("x.bin"), data);
        Path canary = Files.writeString(tmp.resolve("canary"), CANARY);
        Files.createSymbolicLink(local.resolve(".x.bin.ftpart"), canary);
        // A meta that would make the client append to "its" partial after the canary's bytes.
        Files.writeString(
                local.resolve(".x.bin.ftpart.meta"),
                "{\"server\":\"" + env.get("FT_SERVER") + "\",\"path\":\"x.bin\",\"size\":" + data.length
                        + ",\"md5\":\"" + md5(data) + "\"}");

        Run get = ft("get", "x.bin", "-o", local.resolve("x.bin").toString());
        assertThat(get.exit()).as(get.err()).isZero();
        assertThat(canary).hasContent(CANARY);
        assertThat(local.resolve("x.bin")).hasBinaryContent(data);
    }

    @Test
    void aPlantedMetaTempLinkIsNotWrittenThrough() throws IOException {
        // Large enough for the meta to be written before the body (PartialDownload.META_FIRST_BYTES).
        byte[] data = random(2 * MIB, 5);
        Files.write(Files.createDirectories(root).resolve("big.bin"), data);
        Path canary = Files.writeString(tmp.resolve("canary"), CANARY);
        Files.createSymbolicLink(local.resolve(".big.bin.ftpart.meta.tmp"), canary);

        Run get = ft("get", "big.bin", "-o", local.resolve("big.bin").toString());
        assertThat(get.exit()).as(get.err()).isZero();
        assertThat(canary).hasContent(CANARY);
        assertThat(local.resolve("big.bin")).hasBinaryContent(data);
    }

    @Test
    void theFinishedFileHasTheUmaskModeAndThePartialIsPrivateWhileWritten() throws IOException {
        Files.write(Files.createDirectories(root).resolve("x.bin"), random(1024, 6));
        Run get = ft("get", "x.bin", "-o", local.resolve("x.bin").toString());
        assertThat(get.exit()).as(get.err()).isZero();
        String mode = PosixFilePermissions.toString(
                Files.getPosixFilePermissions(local.resolve("x.bin"), LinkOption.NOFOLLOW_LINKS));
        // Whatever the umask, group and others never get more than read, and the owner reads and writes.
        assertThat(mode).startsWith("rw-").doesNotContain("x");
    }
}

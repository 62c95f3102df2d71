package ft.client;

import static org.assertj.core.api.Assertions.assertThat;

import ft.protocol.FileAttributes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** -p keeps modification times and permission bits both ways; -r keeps modification times; links are reported. */
class PreserveTest extends CliHarness {
    private static final FileTime THEN = FileTime.from(Instant.parse("2001-02-03T04:05:06Z"));

    private static Path withAttributes(Path file, int mode) throws IOException {
        Files.setPosixFilePermissions(file, FileAttributes.permissions(mode));
        Files.setLastModifiedTime(file, THEN);
        return file;
    }

    private static int mode(Path file) throws IOException {
        return FileAttributes.mode(Files.getPosixFilePermissions(file));
    }

    @Test
    void putPreserveStoresTheModificationTimeAndMode() throws IOException {
        Path script = withAttributes(localFile("run.sh", "#!/bin/sh\n".getBytes()), 0750);
        Run run = ft("put", "-p", script.toString(), "bin/run.sh");
        assertThat(run.exit()).as(run.err()).isZero();
        Path stored = root.resolve("bin/run.sh");
        assertThat(Files.getLastModifiedTime(stored)).isEqualTo(THEN);
        assertThat(mode(stored)).isEqualTo(0750);
    }

    @Test
    void getPreserveKeepsTheServersModificationTimeAndMode() throws IOException {
        withAttributes(remoteFile("tool", new byte[3 * MIB]), 0751);
        Path target = local.resolve("tool");
        Run run = ft("get", "-p", "tool", "-o", target.toString());
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(Files.getLastModifiedTime(target)).isEqualTo(THEN);
        assertThat(mode(target)).isEqualTo(0751);
    }

    @Test
    void withoutPreserveAPlainCopyIsMadeNow() throws IOException {
        withAttributes(remoteFile("tool", new byte[10]), 0751);
        Path target = local.resolve("tool");
        assertThat(ft("get", "tool", "-o", target.toString()).exit()).isZero();
        assertThat(Files.getLastModifiedTime(target)).isNotEqualTo(THEN);
    }

    @Test
    void recursiveTransfersKeepModificationTimesButNotModes() throws IOException {
        withAttributes(remoteFile("tree/a.txt", new byte[5]), 0700);
        withAttributes(remoteFile("tree/sub/b.txt", new byte[7]), 0700);
        Path out = local.resolve("out");
        Run get = ft("get", "-r", "tree", "-o", out.toString());
        assertThat(get.exit()).as(get.err()).isZero();
        assertThat(Files.getLastModifiedTime(out.resolve("tree/a.txt"))).isEqualTo(THEN);
        assertThat(Files.getLastModifiedTime(out.resolve("tree/sub/b.txt"))).isEqualTo(THEN);
        assertThat(mode(out.resolve("tree/a.txt"))).isNotEqualTo(0700);

        Run put = ft("put", "-r", out.resolve("tree").toString(), "again/");
        assertThat(put.exit()).as(put.err()).isZero();
        assertThat(Files.getLastModifiedTime(root.resolve("again/tree/sub/b.txt")))
                .isEqualTo(THEN);
    }

    @Test
    void aFileAlreadyIdenticalGetsTheServersTimeOnARecursiveGet() throws IOException {
        byte[] same = "same".getBytes();
        withAttributes(remoteFile("tree/a.txt", same), 0644);
        Path mine = localFile("out/tree/a.txt", same);
        Run run = ft("get", "-r", "tree", "-o", local.resolve("out").toString());
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.err()).contains("unchanged");
        assertThat(Files.getLastModifiedTime(mine)).isEqualTo(THEN);
    }

    @Test
    void aRecursiveGetReportsLinksTheServerWillNotFollowAsSkipped() throws IOException {
        remoteFile("tree/real.txt", "real".getBytes());
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("secret.txt"), "not yours");
        Files.createSymbolicLink(root.resolve("tree/out"), outside);
        Files.createSymbolicLink(root.resolve("tree/inside.txt"), root.resolve("tree/real.txt"));
        Run run = ft("get", "-r", "--json", "tree", "-o", local.resolve("copy").toString());
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out().lines())
                .anySatisfy(
                        l -> assertThat(l).contains("\"remote\":\"tree/out\"").contains("\"status\":\"skipped\""));
        assertThat(local.resolve("copy/tree/inside.txt")).hasContent("real");
        assertThat(local.resolve("copy/tree/out")).doesNotExist();
    }
}

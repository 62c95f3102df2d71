package ft.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The validity policy of the digest journal on its own: which stamps vouch for which. */
class FileStampTest {
    @TempDir
    Path tmp;

    /** A stamp on device 1 with the given inode. */
    private static FileStamp stamp(long size, long mtimeNs, Long ctimeNs, int inode) {
        return new FileStamp(size, mtimeNs, ctimeNs, "(dev=1,ino=" + inode + ")");
    }

    @Test
    void aStampVouchesOnlyForTheSameSizeTimesAndInode() {
        FileStamp taken = stamp(10, 1_000, 2_000L, 2);
        assertThat(taken.vouchesFor(stamp(10, 1_000, 2_000L, 2))).isTrue();
        assertThat(taken.vouchesFor(stamp(11, 1_000, 2_000L, 2))).as("size").isFalse();
        assertThat(taken.vouchesFor(stamp(10, 1_001, 2_000L, 2))).as("mtime").isFalse();
        // An mtime set back after a rewrite in place: only the ctime tells.
        assertThat(taken.vouchesFor(stamp(10, 1_000, 2_001L, 2))).as("ctime").isFalse();
        assertThat(taken.vouchesFor(stamp(10, 1_000, 2_000L, 3))).as("inode").isFalse();
        assertThat(taken.vouchesFor(stamp(10, 1_000, null, 2))).as("no ctime").isFalse();
    }

    @Test
    void aFileIsStampedAsItIsAndADirectoryIsNotAFile() throws IOException {
        Path file = Files.writeString(tmp.resolve("f"), "hello");
        FileStamp stamp = FileStamp.of(file);
        assertThat(stamp.size()).isEqualTo(5);
        assertThat(stamp.mtimeNs())
                .isEqualTo(Files.getLastModifiedTime(file).to(java.util.concurrent.TimeUnit.NANOSECONDS));
        assertThat(stamp.vouchesFor(FileStamp.of(file))).isTrue();
        assertThatThrownBy(() -> FileStamp.of(tmp))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("not a regular file");
    }
}

package ft.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ft.testing.SmallDisk;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FreeSpaceTest {
    @TempDir
    Path dir;

    @Test
    void theStoreIsFoundOnceButItsFreeSpaceIsAskedEveryTime() throws Exception {
        Path small = Files.createDirectory(dir.resolve("small"));
        SmallDisk.mount(small, "4m");
        try {
            long before = FreeSpace.usableIn(small);
            assertEquals(Files.getFileStore(small).getUsableSpace(), before);

            Files.write(small.resolve("filler"), new byte[2 << 20]);

            long after = FreeSpace.usableIn(small);
            assertTrue(before - after >= 2 << 20, "free space before " + before + ", after writing 2 MiB " + after);
        } finally {
            SmallDisk.unmount(small);
        }
    }

    @Test
    void eachDirectoryHasItsOwnFileSystem() throws Exception {
        Path small = Files.createDirectory(dir.resolve("other"));
        long onDisk = FreeSpace.usableIn(dir);
        SmallDisk.mount(small, "1m");
        try {
            long onTmpfs = FreeSpace.usableIn(small);
            assertTrue(onTmpfs <= 1 << 20, "a 1 MiB tmpfs reports " + onTmpfs);
            assertTrue(onDisk != onTmpfs);
        } finally {
            SmallDisk.unmount(small);
        }
    }
}

package ft.server.storage.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ft.protocol.EntryType;
import ft.protocol.Md5;
import ft.server.storage.Entry;
import ft.server.storage.ReadHandle;
import ft.server.storage.Storage;
import ft.server.storage.StorageContract;
import ft.server.storage.UploadSession;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contract, run against a local directory, and what only a local directory does. */
class LocalStorageTest extends StorageContract {
    @TempDir
    Path tmp;

    @Override
    protected Storage newStorage() throws Exception {
        return LocalStorage.open(tmp.resolve("root"));
    }

    private Path root() {
        return ((LocalStorage) storage).root();
    }

    @Test
    void partialUploadsLiveInTheHiddenStateDirectoryWhichIsNeverListed() throws Exception {
        byte[] content = bytes("partial bytes");
        try (UploadSession s = storage.openUpload("p.txt", identity(content), null)) {
            s.begin(true);
            s.channel().write(ByteBuffer.wrap(content));
            s.checkpoint(null);
        }
        try (var partials = Files.list(root().resolve(".ft/partials"))) {
            assertTrue(partials.anyMatch(p -> p.toString().endsWith(".part")), "the bytes wait in .ft/partials");
        }
        assertFalse(Files.exists(root().resolve("p.txt")));
        assertEquals(
                List.of(),
                storage.list("", null, 10).entries().stream().map(Entry::name).toList(),
                ".ft is never listed");
    }

    @Test
    void anOpenReaderKeepsTheBytesItOpenedWhenAPublishReplacesTheName() throws Exception {
        put("f.txt", bytes("old content"));
        Entry old = storage.stat("f.txt");
        try (ReadHandle h = storage.openRead("f.txt", old.version(), 0)) {
            put("f.txt", bytes("new content!"));
            ByteBuffer buf = ByteBuffer.allocate((int) old.size());
            h.read(buf, 0);
            // rename(2) swapped the name; the open inode is the old file, whole.
            assertArrayEquals(bytes("old content"), buf.array());
        }
        assertArrayEquals(bytes("new content!"), Files.readAllBytes(root().resolve("f.txt")));
    }

    @Test
    void aPublishLeavesNoPartialBehindAndRecordsTheDigest() throws Exception {
        put("d.txt", bytes("digest me"));
        try (var partials = Files.list(root().resolve(".ft/partials"))) {
            assertEquals(0, partials.count(), "the partial was renamed into place, its meta removed");
        }
        assertTrue(((LocalStorage) storage).knowsDigest("d.txt"), "a published upload needs no hashing pass");
    }

    @Test
    void listingReportsASymlinkAsALinkWithoutFollowingIt() throws Exception {
        put("target.txt", bytes("t"));
        Files.createSymbolicLink(root().resolve("link"), root().resolve("target.txt"));
        Entry link = storage.list("", null, 10).entries().stream()
                .filter(e -> e.name().equals("link"))
                .findFirst()
                .orElseThrow();
        assertEquals(EntryType.LINK, link.type());
        assertEquals(EntryType.FILE, storage.stat("link").type(), "stat follows a link inside the root");
    }

    @Test
    void aDirectoryCanBeMovedAtomically() throws Exception {
        assertTrue(storage.capabilities().atomicDirectoryRename());
        put("dir/a.txt", bytes("a"));
        storage.move("dir", "renamed");
        assertArrayEquals(bytes("a"), Files.readAllBytes(root().resolve("renamed/a.txt")));
    }

    @Test
    void aDigestLearntBeforeARestartIsAnsweredWithoutReadingTheFileAgain() throws Exception {
        Path root = tmp.resolve("indexed");
        byte[] content = bytes("x".repeat(300_000));
        Files.createDirectories(root);
        Files.write(root.resolve("big.bin"), content);
        Md5 first;
        LocalStorage before = LocalStorage.openWithIndex(root);
        try {
            Entry entry = before.stat("big.bin");
            first = before.digest("big.bin", entry.version(), null);
            assertEquals(content.length, before.bytesHashed(), "the first digest reads the file");
        } finally {
            before.close();
        }

        LocalStorage after = LocalStorage.openWithIndex(root);
        try {
            Entry entry = after.stat("big.bin");
            assertEquals(first, after.digest("big.bin", entry.version(), null));
            assertEquals(0, after.bytesHashed(), "a restarted storage finds the digest in .ft/digests");

            Files.write(root.resolve("big.bin"), bytes("changed"));
            Entry changed = after.stat("big.bin");
            assertEquals(md5(bytes("changed")), after.digest("big.bin", changed.version(), null));
            assertEquals(7, after.bytesHashed(), "a changed file is hashed again, never answered from the index");
        } finally {
            after.close();
        }
    }
}

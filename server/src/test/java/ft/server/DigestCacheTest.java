package ft.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ft.protocol.Md5;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DigestCacheTest {
    @TempDir
    Path tmp;

    private final DigestCache cache = new DigestCache();

    @Test
    void digestOfReturnsTheFilesMd5AndRemembersTheVersion() throws IOException {
        byte[] content = randomBytes(1_234_567, 1); // several hashing buffers, not a multiple of one
        Path file = Files.write(tmp.resolve("f.bin"), content);
        DigestCache.Version v = FileVersions.of(file);

        assertFalse(cache.knows(v));
        assertEquals(RawClient.md5(content), cache.digestOf(v));
        assertTrue(cache.knows(v));
        assertEquals(RawClient.md5(content), cache.digestOf(v));
    }

    @Test
    void digestOfAnEmptyFileIsTheMd5OfNothing() throws IOException {
        Path file = Files.write(tmp.resolve("empty"), new byte[0]);
        assertEquals(new Md5("d41d8cd98f00b204e9800998ecf8427e"), cache.digestOf(FileVersions.of(file)));
    }

    @Test
    void aKnownVersionIsNotReadAgain() throws IOException {
        byte[] content = "hash me once".getBytes(StandardCharsets.UTF_8);
        Path file = Files.write(tmp.resolve("f.txt"), content);
        DigestCache.Version v = FileVersions.of(file);
        Md5 first = cache.digestOf(v);

        Files.delete(file); // a second hashing pass would now fail

        assertEquals(first, cache.digestOf(v));
        assertEquals(RawClient.md5(content), first);
    }

    @Test
    void aFileRewrittenInPlaceWithANewMtimeGetsAFreshCorrectDigest() throws IOException {
        Path file = Files.write(tmp.resolve("f.txt"), "version one".getBytes(StandardCharsets.UTF_8));
        FileTime t1 = FileTime.from(1_700_000_000, TimeUnit.SECONDS);
        Files.setLastModifiedTime(file, t1);
        DigestCache.Version v1 = FileVersions.of(file);
        Md5 md5One = cache.digestOf(v1);

        byte[] two = "version two".getBytes(StandardCharsets.UTF_8); // same size, same inode
        Files.write(file, two);
        Files.setLastModifiedTime(file, FileTime.from(1_700_000_001, TimeUnit.SECONDS));
        DigestCache.Version v2 = FileVersions.of(file);

        assertEquals(v1.size(), v2.size());
        assertEquals(v1.fileKey(), v2.fileKey());
        assertNotEquals(v1, v2, "a new mtime is a new version");
        assertFalse(cache.knows(v2));
        Md5 md5Two = cache.digestOf(v2);
        assertEquals(RawClient.md5(two), md5Two);
        assertNotEquals(md5One, md5Two);
        assertTrue(cache.knows(v2));
    }

    @Test
    void aFileReplacedByRenameIsANewVersionEvenWithTheSameSizeAndMtime() throws IOException {
        FileTime t = FileTime.from(1_700_000_000, TimeUnit.SECONDS);
        Path file = Files.write(tmp.resolve("f.txt"), "AAAA".getBytes(StandardCharsets.UTF_8));
        Files.setLastModifiedTime(file, t);
        DigestCache.Version v1 = FileVersions.of(file);
        cache.digestOf(v1);

        byte[] replacement = "BBBB".getBytes(StandardCharsets.UTF_8);
        Path staged = Files.write(tmp.resolve("staged"), replacement);
        Files.setLastModifiedTime(staged, t);
        Files.move(staged, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        DigestCache.Version v2 = FileVersions.of(file);

        assertEquals(v1.size(), v2.size());
        assertEquals(v1.modified(), v2.modified());
        if (v1.fileKey() == null) {
            return; // a file system without inodes cannot tell these apart; nothing to check
        }
        assertNotEquals(v1, v2, "a different inode is a different version");
        assertEquals(RawClient.md5(replacement), cache.digestOf(v2));
    }

    @Test
    void forgetMakesTheNextLookupHashAgain() throws IOException {
        FileTime t = FileTime.from(1_700_000_000, TimeUnit.SECONDS);
        Path file = Files.write(tmp.resolve("f.txt"), "first".getBytes(StandardCharsets.UTF_8));
        Files.setLastModifiedTime(file, t);
        DigestCache.Version v = FileVersions.of(file);
        assertEquals(RawClient.md5("first".getBytes(StandardCharsets.UTF_8)), cache.digestOf(v));

        // Rewrite in place so the version looks identical, then forget it.
        Files.write(file, "other".getBytes(StandardCharsets.UTF_8));
        Files.setLastModifiedTime(file, t);
        assertEquals(v, FileVersions.of(file));
        cache.forget(v);

        assertFalse(cache.knows(v));
        assertEquals(RawClient.md5("other".getBytes(StandardCharsets.UTF_8)), cache.digestOf(v));
    }

    @Test
    void rememberedDigestIsServedWithoutReadingTheFile() throws IOException {
        Path file = Files.write(tmp.resolve("f.txt"), "uploaded".getBytes(StandardCharsets.UTF_8));
        DigestCache.Version v = FileVersions.of(file);
        Md5 told = new Md5("0123456789abcdef0123456789abcdef");

        cache.remember(v, told);

        assertTrue(cache.knows(v));
        assertEquals(told, cache.digestOf(v));
    }

    @Test
    void aMissingFileIsAnIoExceptionAndNothingIsCached() throws IOException {
        Path file = Files.write(tmp.resolve("gone.txt"), "soon gone".getBytes(StandardCharsets.UTF_8));
        DigestCache.Version v = FileVersions.of(file);
        Files.delete(file);

        assertThrows(NoSuchFileException.class, () -> cache.digestOf(v));
        assertFalse(cache.knows(v));

        Files.write(file, "back again".getBytes(StandardCharsets.UTF_8));
        DigestCache.Version back = FileVersions.of(file);
        assertEquals(RawClient.md5("back again".getBytes(StandardCharsets.UTF_8)), cache.digestOf(back));
    }

    @Test
    void aFileShorterThanItsVersionIsAnEofAndNothingIsCached() throws IOException {
        Path file = Files.write(tmp.resolve("f.bin"), randomBytes(10_000, 2));
        DigestCache.Version v = FileVersions.of(file);
        Files.write(file, randomBytes(100, 3)); // truncated after the version was taken

        assertThrows(EOFException.class, () -> cache.digestOf(v));
        assertFalse(cache.knows(v));
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }
}

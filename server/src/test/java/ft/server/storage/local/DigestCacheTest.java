package ft.server.storage.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ft.protocol.Md5;
import ft.testing.FileClock;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DigestCacheTest {
    @TempDir
    Path tmp;

    private final DigestCache cache = new DigestCache();

    private static final FileTime PAST = FileTime.from(1_700_000_000, TimeUnit.SECONDS);

    /** Writes {@code content} to f.txt and sets its mtime to {@code mtime}. */
    private Path writeWithMtime(String content, FileTime mtime) throws IOException {
        Path file = Files.write(tmp.resolve("f.txt"), content.getBytes(StandardCharsets.UTF_8));
        Files.setLastModifiedTime(file, mtime);
        return file;
    }

    @Test
    void digestOfReturnsTheFilesMd5AndRemembersTheVersion() throws IOException {
        byte[] content = randomBytes(1_234_567, 1); // several hashing buffers, not a multiple of one
        Path file = Files.write(tmp.resolve("f.bin"), content);
        DigestCache.Version v = FileVersions.of(file);

        assertFalse(cache.knows(v));
        assertEquals(md5(content), cache.digestOf(v));
        assertTrue(cache.knows(v));
        assertEquals(md5(content), cache.digestOf(v));
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
        assertEquals(md5(content), first);
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
        assertEquals(md5(two), md5Two);
        assertNotEquals(md5One, md5Two);
        assertTrue(cache.knows(v2));
    }

    @Test
    void aFileRewrittenInPlaceWithItsMtimeSetBackIsANewVersion() throws IOException {
        FileTime t = PAST;
        Path file = writeWithMtime("version one", t);
        DigestCache.Version v1 = FileVersions.of(file);
        Md5 md5One = cache.digestOf(v1);

        FileClock.awaitTickAfter(v1.changed(), tmp);
        byte[] two = "version two".getBytes(StandardCharsets.UTF_8); // same size, same inode
        Files.write(file, two);
        Files.setLastModifiedTime(file, t); // what touch -d or rsync -t do
        DigestCache.Version v2 = FileVersions.of(file);

        assertEquals(v1.size(), v2.size());
        assertEquals(v1.modified(), v2.modified());
        assertEquals(v1.fileKey(), v2.fileKey());
        assertNotEquals(v1, v2, "the change time tells the rewrite apart");
        assertFalse(cache.knows(v2));
        assertEquals(md5(two), cache.digestOf(v2));
        assertNotEquals(md5One, cache.digestOf(v2));
    }

    @Test
    void observeReportsThePermissionBitsOnly() throws IOException {
        Path file = Files.write(tmp.resolve("f.txt"), new byte[1]);
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-x---"));
        assertEquals(0750, FileVersions.observe(file).mode());
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        assertEquals(0644, FileVersions.observe(file).mode());
    }

    @Test
    void aFileReplacedByRenameIsANewVersionEvenWithTheSameSizeAndMtime() throws IOException {
        FileTime t = PAST;
        Path file = writeWithMtime("AAAA", t);
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
        assertEquals(md5(replacement), cache.digestOf(v2));
    }

    @Test
    void forgetMakesTheNextLookupHashAgain() throws IOException {
        FileTime t = PAST;
        Path file = writeWithMtime("first", t);
        DigestCache.Version v = FileVersions.of(file);
        assertEquals(md5("first".getBytes(StandardCharsets.UTF_8)), cache.digestOf(v));

        // Rewrite in place behind the cache's back, then forget the version it knows.
        Files.write(file, "other".getBytes(StandardCharsets.UTF_8));
        cache.forget(v);

        assertFalse(cache.knows(v));
        assertEquals(md5("other".getBytes(StandardCharsets.UTF_8)), cache.digestOf(v));
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
        assertEquals(md5("back again".getBytes(StandardCharsets.UTF_8)), cache.digestOf(back));
    }

    @Test
    void aFileShorterThanItsVersionIsAnEofAndNothingIsCached() throws IOException {
        Path file = Files.write(tmp.resolve("f.bin"), randomBytes(10_000, 2));
        DigestCache.Version v = FileVersions.of(file);
        Files.write(file, randomBytes(100, 3)); // truncated after the version was taken

        assertThrows(EOFException.class, () -> cache.digestOf(v));
        assertFalse(cache.knows(v));
    }

    /**
     * A named pipe posing as a file of {@code size} bytes: the hashing pass reads exactly what
     * the test writes, when it writes it, so "while the hash runs" needs no timing guess.
     */
    private DigestCache.Version pipe(long size) throws IOException, InterruptedException {
        Path fifo = tmp.resolve("pipe");
        Process mkfifo =
                new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertEquals(0, mkfifo.waitFor(), "mkfifo");
        return new DigestCache.Version(fifo, size, FileTime.fromMillis(0), null, "pipe");
    }

    @Test
    void aRequesterIsToldHowFarTheHashHasGotWhileItWaits() throws Exception {
        byte[] first = randomBytes(1_000, 5);
        byte[] rest = randomBytes(5_000, 6);
        DigestCache.Version v = pipe(first.length + rest.length);
        List<long[]> told = new ArrayList<>();
        OutputStream[] writer = {null};
        boolean[] restWritten = {false};

        Md5 md5 = assertTimeoutPreemptively(
                Duration.ofSeconds(20),
                () -> cache.digestOf(v, pipeOpener(v), new DigestCache.Waiting(Duration.ofMillis(5), (done, total) -> {
                    told.add(new long[] {done, total});
                    if (writer[0] == null) {
                        writer[0] = Files.newOutputStream(v.path()); // waits for the pass to open its end
                        writer[0].write(first);
                        writer[0].flush();
                    } else if (done == first.length && !restWritten[0]) {
                        restWritten[0] = true;
                        writer[0].write(rest);
                        writer[0].close();
                    }
                })));

        assertEquals(md5(concat(first, rest)), md5);
        assertTrue(
                told.stream().anyMatch(t -> t[0] == first.length && t[1] == first.length + rest.length),
                "told of the first 1000 bytes while the rest had not been written");
        assertTrue(cache.knows(v));
    }

    @Test
    void aRequesterThatStopsWaitingLeavesThePassToTheNext() throws Exception {
        byte[] content = randomBytes(3_000, 7);
        DigestCache.Version v = pipe(content.length);
        OutputStream[] writer = {null};

        IOException gone = assertThrows(
                IOException.class,
                () -> cache.digestOf(v, pipeOpener(v), new DigestCache.Waiting(Duration.ofMillis(5), (done, total) -> {
                    writer[0] = Files.newOutputStream(v.path());
                    writer[0].write(content, 0, 1_000);
                    writer[0].flush();
                    throw new IOException("client went away");
                })));
        assertEquals("client went away", gone.getMessage());

        writer[0].write(content, 1_000, 2_000);
        writer[0].close();
        // A second pass would open the pipe again and find no writer: only the first can finish.
        Md5 md5 = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> cache.digestOf(v));
        assertEquals(md5(content), md5);
    }

    /**
     * Opens the pipe for reading without waiting for a writer (read-write: the pass only reads,
     * exactly the version's size, so it never needs to see the end). A read-only open would
     * block the requester, which opens the channel itself, until the test's writer opens, and
     * the test opens its writer only once told the pass is running.
     */
    private static DigestCache.Opener pipeOpener(DigestCache.Version v) {
        return () -> java.nio.channels.FileChannel.open(
                v.path(), java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static Md5 md5(byte[] content) {
        return Md5.of(ft.transfer.Body.newMd5().digest(content));
    }
}

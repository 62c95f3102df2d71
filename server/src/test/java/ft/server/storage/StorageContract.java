package ft.server.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ft.protocol.EntryType;
import ft.protocol.ErrorCode;
import ft.protocol.Md5;
import ft.server.RefusedException;
import ft.transfer.Body;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Storage} backend must do, written once: a backend's test extends this class
 * and says how to make an empty store. Only the interface is used, so the same tests run
 * against the local directory and (in its own module) an S3-compatible store.
 */
public abstract class StorageContract {
    /** An empty store, fresh for each test. */
    protected abstract Storage newStorage() throws Exception;

    protected Storage storage;

    @BeforeEach
    void makeStorage() throws Exception {
        storage = newStorage();
    }

    // ------------------------------------------------------------------ stat

    @Test
    void statOfAMissingNameIsRefusedNotFound() {
        assertRefused(ErrorCode.NOT_FOUND, () -> storage.stat("nothing.txt"));
    }

    @Test
    void statOfAFileTellsItsSizeMtimeAndVersion() throws Exception {
        put("a.txt", bytes("hello"));
        Entry e = storage.stat("a.txt");
        assertEquals("a.txt", e.name());
        assertEquals(EntryType.FILE, e.type());
        assertEquals(5, e.size());
        assertTrue(e.mtime() > 0);
        assertNotNull(e.version());
        assertEquals(5, e.version().size());
    }

    @Test
    void statOfADirectorySaysDirectory() throws Exception {
        storage.makeDirectory("d", false);
        Entry e = storage.stat("d");
        assertEquals(EntryType.DIR, e.type());
        assertNull(e.version());
    }

    @Test
    void aNewContentIsANewVersion() throws Exception {
        put("a.txt", bytes("one"));
        Version first = storage.stat("a.txt").version();
        put("a.txt", bytes("two"));
        assertNotEquals(first, storage.stat("a.txt").version());
    }

    // ------------------------------------------------------------------ list

    @Test
    void listingPagesCoverEveryEntryExactlyOnceInNameOrder() throws Exception {
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < 23; i++) {
            String name = "f" + (char) ('a' + (i * 7) % 23) + i;
            put("dir/" + name, bytes(name));
            expected.add(name);
        }
        storage.makeDirectory("dir/sub", false);
        expected.add("sub");
        List<String> seen = new ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            ListPage page = storage.list("dir", token, 5);
            assertTrue(page.entries().size() <= 5);
            page.entries().forEach(e -> seen.add(e.name()));
            token = page.nextToken();
            pages++;
        } while (token != null && pages < 100);
        assertEquals(expected, new HashSet<>(seen), "every entry once");
        assertEquals(expected.size(), seen.size(), "no entry twice");
        List<String> sorted = new ArrayList<>(seen);
        sorted.sort(null);
        assertEquals(sorted, seen, "in name order across pages");
        assertTrue(pages >= 5);
    }

    @Test
    void listingTellsFilesFromDirectories() throws Exception {
        put("top/f.txt", bytes("12345"));
        storage.makeDirectory("top/d", false);
        ListPage page = storage.list("top", null, 10);
        assertFalse(page.more());
        assertEquals(
                List.of("d", "f.txt"), page.entries().stream().map(Entry::name).toList());
        assertEquals(EntryType.DIR, page.entries().get(0).type());
        assertEquals(EntryType.FILE, page.entries().get(1).type());
        assertEquals(5, page.entries().get(1).size());
    }

    @Test
    void listingAMissingDirectoryIsRefused() {
        assertRefused(ErrorCode.NOT_FOUND, () -> storage.list("missing", null, 10));
    }

    // ------------------------------------------------------------------ walk

    @Test
    void walkVisitsEverythingBelowAndSkipsWhatTheWalkerDeclines() throws Exception {
        put("w/a.txt", bytes("a"));
        put("w/keep/b.txt", bytes("b"));
        put("w/skip/c.txt", bytes("c"));
        List<String> seen = new ArrayList<>();
        AtomicBoolean begun = new AtomicBoolean();
        storage.walk("w", "", new Storage.Walker() {
            @Override
            public void begin() {
                begun.set(true);
            }

            @Override
            public boolean visit(String relative, Entry entry) {
                assertTrue(begun.get(), "begin comes before the first visit");
                seen.add(relative);
                return !relative.equals("skip");
            }
        });
        seen.sort(null);
        assertEquals(List.of("a.txt", "keep", "keep/b.txt", "skip"), seen);
    }

    @Test
    void walkCanStartBelowALiteralPrefix() throws Exception {
        put("w/x/y/in.txt", bytes("in"));
        put("w/other.txt", bytes("out"));
        List<String> seen = new ArrayList<>();
        storage.walk("w", "x/y", walker(seen));
        assertEquals(List.of("x/y/in.txt"), seen);
        seen.clear();
        storage.walk("w", "nope", walker(seen));
        assertEquals(List.of(), seen, "a prefix that leads nowhere visits nothing");
    }

    // ------------------------------------------------------------------ read

    @Test
    void aRangedReadStartsAtTheOffset() throws Exception {
        byte[] content = random(100_000);
        put("r.bin", content);
        Entry e = storage.stat("r.bin");
        try (ReadHandle h = storage.openRead("r.bin", e.version(), 40_000)) {
            assertEquals(e.version(), h.version());
            ByteBuffer buf = ByteBuffer.allocate(60_000);
            while (buf.hasRemaining()) {
                if (h.read(buf, 40_000 + buf.position()) < 0) {
                    break;
                }
            }
            byte[] expected = new byte[60_000];
            System.arraycopy(content, 40_000, expected, 0, 60_000);
            assertArrayEquals(expected, buf.array());
        }
    }

    @Test
    void openingAVersionThatIsGoneTellsSo() throws Exception {
        put("r.bin", bytes("first"));
        Version old = storage.stat("r.bin").version();
        put("r.bin", bytes("second, longer"));
        assertThrows(
                VersionChangedException.class,
                () -> storage.openRead("r.bin", old, 0).close());
        assertThrows(VersionChangedException.class, () -> storage.digest("r.bin", old, null));
    }

    @Test
    void theDigestIsTheMd5OfTheVersion() throws Exception {
        byte[] content = random(300_000);
        put("d.bin", content);
        Entry e = storage.stat("d.bin");
        assertEquals(md5(content), storage.digest("d.bin", e.version(), null));
    }

    // ------------------------------------------------------------------ upload

    @Test
    void nothingIsVisibleBeforePublishAndAllOfItAfter() throws Exception {
        byte[] content = random(200_000);
        try (UploadSession s = storage.openUpload("u/new.bin", identity(content), null)) {
            assertEquals(0, s.begin(true));
            write(s, content);
            assertRefused(ErrorCode.NOT_FOUND, () -> storage.stat("u/new.bin"));
            Version v = s.publish(md5(content), UploadSession.Condition.ALWAYS);
            assertEquals(content.length, v.size());
        }
        assertArrayEquals(content, read("u/new.bin"));
    }

    @Test
    void aReaderSeesTheOldContentOrTheNewNeverAMix() throws Exception {
        byte[] old = filled(150_000, (byte) 'o');
        byte[] fresh = filled(150_000, (byte) 'n');
        put("x.bin", old);
        AtomicReference<String> mixed = new AtomicReference<>();
        AtomicBoolean done = new AtomicBoolean();
        Thread reader = Thread.ofVirtual().start(() -> {
            while (!done.get() && mixed.get() == null) {
                try {
                    byte[] seen = read("x.bin");
                    if (!java.util.Arrays.equals(seen, old) && !java.util.Arrays.equals(seen, fresh)) {
                        mixed.set("a reader saw " + seen.length + " bytes of neither version");
                    }
                } catch (VersionChangedException | RefusedException changedUnderUs) {
                    // Replaced between stat and open: that is the old or new, not a mix.
                } catch (IOException e) {
                    mixed.set(e.toString());
                }
            }
        });
        for (int i = 0; i < 20; i++) {
            put("x.bin", i % 2 == 0 ? fresh : old);
        }
        done.set(true);
        reader.join();
        assertNull(mixed.get());
    }

    @Test
    void anAbortedUploadLeavesNothing() throws Exception {
        byte[] content = random(50_000);
        try (UploadSession s = storage.openUpload("gone.bin", identity(content), null)) {
            s.begin(true);
            write(s, content);
            s.checkpoint(null);
            s.abort();
        }
        assertRefused(ErrorCode.NOT_FOUND, () -> storage.stat("gone.bin"));
        try (UploadSession again = storage.openUpload("gone.bin", identity(content), null)) {
            assertEquals(0, again.begin(true), "nothing held after an abort");
            again.abort();
        }
    }

    @Test
    void createOnlyPublishIsRefusedWhenTheNameExists() throws Exception {
        put("once.txt", bytes("first"));
        byte[] second = bytes("second");
        try (UploadSession s = storage.openUpload("once.txt", identity(second), null)) {
            s.begin(false);
            write(s, second);
            assertRefused(ErrorCode.EXISTS, () -> s.publish(md5(second), UploadSession.Condition.CREATE_ONLY));
        }
        assertArrayEquals(bytes("first"), read("once.txt"));
        byte[] third = bytes("third");
        try (UploadSession s = storage.openUpload("fresh.txt", identity(third), null)) {
            s.begin(false);
            write(s, third);
            s.publish(md5(third), UploadSession.Condition.CREATE_ONLY);
        }
        assertArrayEquals(third, read("fresh.txt"));
    }

    @Test
    void ifVersionPublishIsRefusedWhenTheFileChangedMeanwhile() throws Exception {
        put("v.txt", bytes("one"));
        Version seen = storage.stat("v.txt").version();
        put("v.txt", bytes("two!"));
        byte[] mine = bytes("mine");
        try (UploadSession s = storage.openUpload("v.txt", identity(mine), null)) {
            s.begin(false);
            write(s, mine);
            assertRefused(ErrorCode.BUSY, () -> s.publish(md5(mine), new UploadSession.Condition.IfVersion(seen)));
        }
        assertArrayEquals(bytes("two!"), read("v.txt"));
    }

    @Test
    void aNewSessionOfTheSameUploadResumesWhatIsHeldWithItsDigestState() throws Exception {
        byte[] content = random((int) minPart() + 100_000);
        int firstPart = (int) minPart();
        byte[] state = {1, 2, 3, 42};
        try (UploadSession s = storage.openUpload("big.bin", identity(content), null)) {
            assertEquals(0, s.begin(true));
            write(s, java.util.Arrays.copyOf(content, firstPart));
            s.checkpoint(state);
        }
        try (UploadSession s = storage.openUpload("big.bin", identity(content), null)) {
            long held = s.begin(true);
            assertEquals(firstPart, held);
            assertEquals(held, s.held());
            assertArrayEquals(state, s.digestState());
            write(s, java.util.Arrays.copyOfRange(content, firstPart, content.length));
            s.publish(md5(content), UploadSession.Condition.ALWAYS);
        }
        assertArrayEquals(content, read("big.bin"));
    }

    @Test
    void anotherUploadToTheSameNameStartsEmpty() throws Exception {
        byte[] one = random(30_000);
        byte[] two = random(40_000);
        try (UploadSession s = storage.openUpload("k.bin", identity(one), null)) {
            s.begin(true);
            write(s, one);
            s.checkpoint(null);
        }
        try (UploadSession s = storage.openUpload("k.bin", identity(two), null)) {
            assertEquals(0, s.begin(true), "bytes of another upload are never resumed");
            assertNull(s.digestState());
            s.abort();
        }
    }

    // ------------------------------------------------------------------ tree edits

    @Test
    void removeTakesAFileAnEmptyDirectoryOrATreeAndRefusesANonEmptyDirectory() throws Exception {
        put("t/a.txt", bytes("a"));
        put("t/sub/b.txt", bytes("b"));
        storage.makeDirectory("empty", false);
        assertRefused(ErrorCode.NOT_EMPTY, () -> storage.remove("t", false));
        storage.remove("t/a.txt", false);
        assertRefused(ErrorCode.NOT_FOUND, () -> storage.stat("t/a.txt"));
        storage.remove("empty", false);
        assertRefused(ErrorCode.NOT_FOUND, () -> storage.stat("empty"));
        storage.remove("t", true);
        assertRefused(ErrorCode.NOT_FOUND, () -> storage.stat("t"));
        assertRefused(ErrorCode.NOT_FOUND, () -> storage.remove("t", true));
    }

    @Test
    void moveRenamesAFileReplacingWhatWasThereOrMovesItIntoADirectory() throws Exception {
        put("m/a.txt", bytes("a"));
        put("m/b.txt", bytes("b"));
        storage.move("m/a.txt", "m/b.txt");
        assertRefused(ErrorCode.NOT_FOUND, () -> storage.stat("m/a.txt"));
        assertArrayEquals(bytes("a"), read("m/b.txt"));
        storage.makeDirectory("m/into", false);
        storage.move("m/b.txt", "m/into");
        assertArrayEquals(bytes("a"), read("m/into/b.txt"));
        assertRefused(ErrorCode.NOT_FOUND, () -> storage.move("m/none", "m/x"));
    }

    @Test
    void makeDirectoryRefusesAnExistingNameUnlessAskedForParents() throws Exception {
        storage.makeDirectory("a/b/c", true);
        assertEquals(EntryType.DIR, storage.stat("a/b/c").type());
        storage.makeDirectory("a/b/c", true);
        assertRefused(ErrorCode.EXISTS, () -> storage.makeDirectory("a/b/c", false));
        assertRefused(ErrorCode.NOT_FOUND, () -> storage.makeDirectory("x/y", false));
    }

    @Test
    void usableSpaceIsPositive() throws Exception {
        assertTrue(storage.usableSpace() > 0);
    }

    @Test
    void capabilitiesAreStated() {
        Capabilities c = storage.capabilities();
        assertNotNull(c);
        assertTrue(c.minPartSize() >= 1);
    }

    // ------------------------------------------------------------------ helpers

    /** The smallest part this backend takes, so resume tests cross a part boundary. */
    protected long minPart() {
        return Math.max(64 * 1024, storage.capabilities().minPartSize());
    }

    protected void put(String path, byte[] content) throws Exception {
        try (UploadSession s = storage.openUpload(path, identity(content), null)) {
            s.begin(false);
            write(s, content);
            s.publish(md5(content), UploadSession.Condition.ALWAYS);
        }
    }

    protected byte[] read(String path) throws IOException, RefusedException {
        Entry e = storage.stat(path);
        try (ReadHandle h = storage.openRead(path, e.version(), 0)) {
            ByteBuffer buf = ByteBuffer.allocate((int) e.size());
            while (buf.hasRemaining()) {
                if (h.read(buf, buf.position()) < 0) {
                    break;
                }
            }
            return java.util.Arrays.copyOf(buf.array(), buf.position());
        }
    }

    private static void write(UploadSession s, byte[] content) throws IOException {
        WritableByteChannel out = s.channel();
        ByteBuffer buf = ByteBuffer.wrap(content);
        while (buf.hasRemaining()) {
            out.write(buf);
        }
    }

    private static Storage.Walker walker(List<String> seen) {
        return new Storage.Walker() {
            @Override
            public void begin() {}

            @Override
            public boolean visit(String relative, Entry entry) {
                if (entry.type() == EntryType.FILE) {
                    seen.add(relative);
                }
                return true;
            }
        };
    }

    protected static UploadSession.Identity identity(byte[] content) {
        return new UploadSession.Identity(content.length, md5(content));
    }

    protected static Md5 md5(byte[] content) {
        MessageDigest d = Body.newMd5();
        return Md5.of(d.digest(content));
    }

    protected static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    private static byte[] filled(int n, byte value) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, value);
        return b;
    }

    @FunctionalInterface
    protected interface Call {
        void run() throws Exception;
    }

    protected static RefusedException assertRefused(ErrorCode code, Call call) {
        RefusedException e = assertThrows(RefusedException.class, call::run);
        assertEquals(code, e.code(), e.getMessage());
        return e;
    }
}

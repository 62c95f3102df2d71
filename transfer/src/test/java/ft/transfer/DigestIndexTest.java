package ft.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ft.protocol.Md5;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DigestIndexTest {
    private static final Md5 A = new Md5("0123456789abcdef0123456789abcdef");
    private static final Md5 B = new Md5("fedcba9876543210fedcba9876543210");

    @TempDir
    Path state;

    private Path log() {
        return state.resolve(DigestIndex.FILE_NAME);
    }

    @Test
    void survivesReopen() throws Exception {
        try (DigestIndex index = DigestIndex.open(state)) {
            assertTrue(index.persistent());
            index.record("dir/big.iso", "1073741824:1700000000123456789:1700000000123456789:ino42", A);
            index.record("odd name\nwith %20 and spaces", "v 1", B);
        }
        try (DigestIndex index = DigestIndex.open(state)) {
            assertEquals(
                    Optional.of(A),
                    index.lookup("dir/big.iso", "1073741824:1700000000123456789:1700000000123456789:ino42"));
            assertEquals(Optional.of(B), index.lookup("odd name\nwith %20 and spaces", "v 1"));
            assertEquals(2, index.size());
        }
    }

    @Test
    void aChangedVersionMisses() throws Exception {
        try (DigestIndex index = DigestIndex.open(state)) {
            index.record("f", "10:1:1:7", A);
            assertEquals(Optional.empty(), index.lookup("f", "10:1:2:7"), "ctime moved");
            assertEquals(Optional.empty(), index.lookup("g", "10:1:1:7"), "another key");
            index.record("f", "10:1:2:7", B);
            assertEquals(Optional.empty(), index.lookup("f", "10:1:1:7"), "the old version is superseded");
        }
        try (DigestIndex index = DigestIndex.open(state)) {
            assertEquals(Optional.of(B), index.lookup("f", "10:1:2:7"));
            assertEquals(Optional.empty(), index.lookup("f", "10:1:1:7"));
        }
    }

    @Test
    void aTornTailIsIgnoredNeverReadAsADigest() throws Exception {
        try (DigestIndex index = DigestIndex.open(state)) {
            index.record("kept", "v", A);
            index.record("torn", "v", A);
        }
        // Cut the last line short at every length: the entry is gone or whole, never another MD5.
        byte[] whole = Files.readAllBytes(log());
        int lastLine = lastIndexOf(whole, (byte) '\n', whole.length - 2) + 1;
        for (int cut = lastLine; cut < whole.length; cut++) {
            Files.write(log(), java.util.Arrays.copyOf(whole, cut));
            try (DigestIndex index = DigestIndex.open(state)) {
                assertEquals(Optional.of(A), index.lookup("kept", "v"));
                assertEquals(Optional.empty(), index.lookup("torn", "v"), "cut at " + cut);
            }
        }
        // A damaged character inside a line (here the MD5 itself) fails its checksum.
        Files.write(log(), whole);
        String text =
                new String(whole, StandardCharsets.UTF_8).replace(" " + A.hex() + " v torn", " " + B.hex() + " v torn");
        Files.writeString(log(), text);
        try (DigestIndex index = DigestIndex.open(state)) {
            assertEquals(Optional.empty(), index.lookup("torn", "v"));
            assertEquals(Optional.of(A), index.lookup("kept", "v"));
            // The next record after a torn tail lands on a line of its own.
            index.record("after", "v", B);
        }
        try (DigestIndex index = DigestIndex.open(state)) {
            assertEquals(Optional.of(B), index.lookup("after", "v"));
        }
    }

    @Test
    void compactionKeepsOneLinePerKeyAndDropsForgottenOnes() throws Exception {
        try (DigestIndex index = DigestIndex.open(state)) {
            for (int i = 0; i < 100; i++) {
                index.record("same", "v" + i, i % 2 == 0 ? A : B);
            }
            index.record("gone", "v", A);
            index.forget("gone");
        }
        assertEquals(1 + 100 + 2, Files.readAllLines(log()).size(), "appends until the next open");
        try (DigestIndex index = DigestIndex.open(state)) {
            assertEquals(Optional.of(B), index.lookup("same", "v99"));
            assertEquals(Optional.empty(), index.lookup("gone", "v"));
            assertEquals(1, index.size());
        }
        List<String> lines = Files.readAllLines(log());
        assertEquals(2, lines.size(), lines.toString());
        assertEquals("ft-digests 1", lines.get(0));
    }

    @Test
    void compactsWhileOpenOnceMostLinesAreSuperseded() throws Exception {
        try (DigestIndex index = DigestIndex.open(state)) {
            for (int i = 0; i < 5000; i++) {
                index.record("k" + (i % 10), "v" + i, A);
            }
            assertTrue(Files.readAllLines(log()).size() <= 1 + 1025, "log stays bounded: " + Files.size(log()));
            assertEquals(Optional.of(A), index.lookup("k9", "v4999"));
        }
        try (DigestIndex index = DigestIndex.open(state)) {
            assertEquals(10, index.size());
            assertEquals(Optional.of(A), index.lookup("k3", "v4993"));
        }
    }

    @Test
    void aForeignFileIsReplacedNotTrusted() throws Exception {
        Files.writeString(log(), "something else\n00000000 " + A.hex() + " v k\n");
        try (DigestIndex index = DigestIndex.open(state)) {
            assertEquals(0, index.size());
        }
        assertEquals(List.of("ft-digests 1"), Files.readAllLines(log()));
    }

    @Test
    void concurrentRecordsAllReachTheFile() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (DigestIndex index = DigestIndex.open(state)) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                done.add(pool.submit((Callable<Void>) () -> {
                    for (int i = 0; i < 500; i++) {
                        index.record("t" + thread + "/" + i, "v", (i % 2 == 0) ? A : B);
                        assertTrue(index.lookup("t" + thread + "/" + i, "v").isPresent());
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        try (DigestIndex index = DigestIndex.open(state)) {
            assertEquals(2000, index.size());
            assertEquals(Optional.of(B), index.lookup("t3/499", "v"));
        }
    }

    @Test
    void aSecondOpenInTheSameProcessReadsButDoesNotWrite() throws Exception {
        try (DigestIndex owner = DigestIndex.open(state)) {
            owner.record("k", "v", A);
            try (DigestIndex second = DigestIndex.open(state)) {
                assertFalse(second.persistent());
                assertEquals(Optional.of(A), second.lookup("k", "v"));
                second.record("only-in-memory", "v", B);
                assertEquals(Optional.of(B), second.lookup("only-in-memory", "v"));
            }
            owner.record("k2", "v", B);
        }
        try (DigestIndex index = DigestIndex.open(state)) {
            assertEquals(Optional.empty(), index.lookup("only-in-memory", "v"));
            assertEquals(Optional.of(B), index.lookup("k2", "v"));
        }
        assertFalse(Files.exists(state.resolve(DigestIndex.FILE_NAME + ".compacting")));
    }

    @Test
    void escapingRoundTrips() {
        for (String s : List.of("", "plain", "a b", "%", "%25", "a\nb\r", "ünï cödé/日本")) {
            assertEquals(s, DigestIndex.unescape(DigestIndex.escape(s)));
            assertFalse(DigestIndex.escape(s).contains(" "));
            assertFalse(DigestIndex.escape(s).contains("\n"));
        }
    }

    private static int lastIndexOf(byte[] a, byte b, int from) {
        for (int i = from; i >= 0; i--) {
            if (a[i] == b) {
                return i;
            }
        }
        return -1;
    }
}

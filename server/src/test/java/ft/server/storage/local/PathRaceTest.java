package ft.server.storage.local;

import static ft.server.storage.local.RaceFixture.CANARY_ONLY;
import static ft.server.storage.local.RaceFixture.CANARY_SECRET;
import static ft.server.storage.local.RaceFixture.goOn;
import static ft.server.storage.local.RaceFixture.snapshot;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ft.protocol.ErrorCode;
import ft.protocol.Md5;
import ft.server.RefusedException;
import ft.server.storage.Entry;
import ft.server.storage.ReadHandle;
import ft.server.storage.Storage;
import ft.server.storage.UploadSession;
import ft.transfer.Body;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The path races of issue 14 (finding 2, the class of rsync CVE-2024-12087/12088 and MINA SSHD
 * CVE-2023-35887), performed: a directory inside the root is swapped for a symlink to a canary
 * directory outside it and back, as fast as rename(2) goes, while each operation runs in a
 * bounded loop. Nothing of the canary may be read, written, listed, moved or deleted.
 */
class PathRaceTest {
    @TempDir
    Path tmp;

    private Path root;
    private Path canary;
    private Map<String, String> canaryBefore;
    private LocalStorage storage;

    @BeforeEach
    void open() throws IOException {
        canary = RaceFixture.canary(tmp.resolve("canary"));
        canaryBefore = snapshot(canary);
        storage = LocalStorage.open(tmp.resolve("root"));
        root = storage.root();
    }

    @AfterEach
    void close() throws IOException {
        storage.close();
    }

    private void assertCanaryIntact() throws IOException {
        assertEquals(canaryBefore, snapshot(canary), "the directory outside the root was changed");
    }

    @Test
    void removingATreeWhoseSubdirectoryIsSwappedForALinkDeletesNothingOutside() throws Exception {
        long start = System.nanoTime();
        int attempts = 0;
        while (goOn(start, attempts++)) {
            Path t = root.resolve("t");
            Files.createDirectories(t.resolve("d/sub"));
            for (int i = 0; i < RaceFixture.FILES; i++) {
                Files.writeString(t.resolve("d/f" + i), "inside");
            }
            Files.writeString(t.resolve("d/sub/c"), "inside");
            try (RaceFixture.Racer racer = new RaceFixture.Racer(t.resolve("d"), canary)) {
                racer.awaitSwapping();
                try {
                    storage.remove("t", true);
                } catch (RefusedException | IOException lostTheRace) {
                    // Failing is fine; reaching outside is not.
                }
            }
            assertCanaryIntact();
            if (Files.exists(t)) {
                JailTraps.deleteTree(t);
            }
        }
    }

    @Test
    void uploadsIntoADirectorySwappedForALinkWriteNothingOutside() throws Exception {
        Files.createDirectories(root.resolve("d"));
        byte[] content = "uploaded".getBytes(StandardCharsets.UTF_8);
        int stored = 0;
        try (RaceFixture.Racer racer = new RaceFixture.Racer(root.resolve("d"), canary)) {
            racer.awaitSwapping();
            long start = System.nanoTime();
            int attempts = 0;
            while (goOn(start, attempts++)) {
                try {
                    put(storage, "d/up.txt", content);
                    stored++;
                } catch (RefusedException | IOException lostTheRace) {
                    // Failing is fine; writing outside is not.
                }
            }
        }
        assertCanaryIntact();
        assertTrue(stored > 0, "no upload got through at all: the test attacked nothing");
    }

    @Test
    void getOfAFileWhoseDirectoryIsSwappedForALinkNeverServesTheOutsideBytes() throws Exception {
        Files.createDirectories(root.resolve("d"));
        String inside = "INSIDE: inside the root!";
        assertEquals(CANARY_SECRET.length(), inside.length(), "same sizes make the race easier to win");
        Files.writeString(root.resolve("d/secret"), inside);
        // The same file under a name the racer never moves: rewriting it makes a new version at
        // every attempt, so the digest is computed (and the file opened) again each time.
        Path stable = Files.createLink(root.resolve("stable"), root.resolve("d/secret"));
        Md5 canaryMd5 = md5(CANARY_SECRET.getBytes(StandardCharsets.UTF_8));
        int served = 0;
        try (RaceFixture.Racer racer = new RaceFixture.Racer(root.resolve("d"), canary)) {
            racer.awaitSwapping();
            long start = System.nanoTime();
            int attempts = 0;
            while (goOn(start, attempts++)) {
                Files.writeString(stable, inside);
                try {
                    Entry e = storage.stat("d/secret");
                    try (ReadHandle h = storage.openRead("d/secret", e.version(), 0)) {
                        ByteBuffer buf = ByteBuffer.allocate((int) e.size());
                        h.read(buf, 0);
                        assertNotEquals(CANARY_SECRET, new String(buf.array(), StandardCharsets.UTF_8));
                        served++;
                    }
                    assertNotEquals(canaryMd5, storage.digest("d/secret", e.version(), null));
                } catch (RefusedException | IOException lostTheRace) {
                    // Failing is fine; serving the outside file is not.
                }
            }
        }
        assertTrue(served > 0, "no get got through at all: the test attacked nothing");
        assertCanaryIntact();
    }

    @Test
    void mkdirMoveListAndFindUnderASwappedDirectoryNeverReachOutside() throws Exception {
        Files.createDirectories(root.resolve("d"));
        Files.writeString(root.resolve("d/m.txt"), "root's m");
        try (RaceFixture.Racer racer = new RaceFixture.Racer(root.resolve("d"), canary)) {
            racer.awaitSwapping();
            long start = System.nanoTime();
            int attempts = 0;
            while (goOn(start, attempts++)) {
                quietly(() -> storage.makeDirectory("d/made/deeper", true));
                quietly(() -> storage.move("d/m.txt", "moved.txt"));
                quietly(() -> storage.move("moved.txt", "d/m.txt"));
                quietly(() -> {
                    for (Entry e : storage.list("d", null, 100).entries()) {
                        assertNotEquals(CANARY_ONLY, e.name(), "the listing showed the outside directory");
                    }
                });
                quietly(() -> {
                    List<String> found = new ArrayList<>();
                    storage.walk("", "", new Storage.Walker() {
                        @Override
                        public void begin() {}

                        @Override
                        public boolean visit(String relative, Entry entry) {
                            found.add(relative);
                            return true;
                        }
                    });
                    assertFalse(
                            found.stream().anyMatch(p -> p.endsWith(CANARY_ONLY) || p.endsWith("inner.txt")),
                            () -> "find walked into the outside directory: " + found);
                });
            }
        }
        assertCanaryIntact();
    }

    @Test
    void aPlantedPartialThatIsALinkToAFileOutsideIsNeverAppendedTo() throws Exception {
        Path victim = canary.resolve("secret");
        byte[] content = "appended by a network put".getBytes(StandardCharsets.UTF_8);
        long size = Files.size(victim) + content.length;
        Md5 md5 = md5(content);
        String key = com.google.common.hash.Hashing.sha256()
                .hashString(root.resolve("x.txt").toString(), StandardCharsets.UTF_8)
                .toString();
        Path partials = root.resolve(".ft/partials");
        Files.createSymbolicLink(partials.resolve(key + ".part"), victim);
        Files.writeString(
                partials.resolve(key + ".meta"),
                "{\"path\":\"x.txt\",\"size\":" + size + ",\"md5\":\"" + md5.hex() + "\"}");

        try (UploadSession s = storage.openUpload("x.txt", new UploadSession.Identity(size, md5), null)) {
            long from = s.begin(true);
            assertEquals(0, from, "a planted link is not a partial of this server");
            write(s, content);
        } catch (RefusedException | IOException refused) {
            // Refusing is fine too; appending to the victim is not.
        }
        assertCanaryIntact();
    }

    @Test
    void aStateDirectoryThatIsALinkIsRefusedAtOpen() throws Exception {
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Path other = Files.createDirectories(tmp.resolve("other"));
        Files.createSymbolicLink(other.resolve(".ft"), elsewhere);
        IOException e =
                assertThrows(IOException.class, () -> LocalStorage.open(other).close());
        assertTrue(e.getMessage().contains("symlink"), e.getMessage());
        try (Stream<Path> there = Files.list(elsewhere)) {
            assertEquals(0, there.count(), "nothing was made where the link points");
        }
    }

    @Test
    void aStateDirectoryOfAnotherUserIsRefusedAtOpen() throws Exception {
        Path other = Files.createDirectories(tmp.resolve("other"));
        Path state = Files.createDirectory(other.resolve(".ft"));
        Files.setPosixFilePermissions(state, StateDirectory.OWNER_ONLY);
        Files.setAttribute(state, "unix:uid", 12345);
        IOException e =
                assertThrows(IOException.class, () -> LocalStorage.open(other).close());
        assertTrue(e.getMessage().contains("12345"), e.getMessage());
    }

    @Test
    void aStateDirectoryOpenToOthersIsRefusedAtOpen() throws Exception {
        Path other = Files.createDirectories(tmp.resolve("other"));
        Path partials = Files.createDirectories(other.resolve(".ft/partials"));
        Files.setPosixFilePermissions(other.resolve(".ft"), StateDirectory.OWNER_ONLY);
        Files.setPosixFilePermissions(partials, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        IOException e =
                assertThrows(IOException.class, () -> LocalStorage.open(other).close());
        assertTrue(e.getMessage().contains("0777"), e.getMessage());
    }

    @Test
    void aUserRootThatContainsTheServedRootCannotReachItsStateDirectory() throws Exception {
        Path top = Files.createDirectories(tmp.resolve("top"));
        LocalStorage served = LocalStorage.open(top.resolve("served"));
        try {
            LocalStorage user = served.sibling(top);
            assertFalse(
                    user.list("served", null, 100).entries().stream()
                            .anyMatch(e -> e.name().equals(".ft")),
                    "the served root's .ft is listed to the user");
            RefusedException stat = assertThrows(RefusedException.class, () -> user.stat("served/.ft"));
            assertEquals(ErrorCode.ACCESS_DENIED, stat.code());
            assertThrows(RefusedException.class, () -> user.remove("served/.ft/partials", true));
            assertThrows(RefusedException.class, () -> user.remove("served", true));
            assertTrue(Files.isDirectory(top.resolve("served/.ft/partials")), "the served root's state is intact");
        } finally {
            served.close();
        }
    }

    @Test
    void aPathOfMoreThanSixtyFourSegmentsIsABadRequestAndMakesNothing() throws Exception {
        String deep = String.join("/", java.util.Collections.nCopies(100, "a"));
        RefusedException e = assertThrows(RefusedException.class, () -> storage.makeDirectory(deep, true));
        assertEquals(ErrorCode.BAD_REQUEST, e.code());
        assertFalse(Files.exists(root.resolve("a")), "nothing was made");
    }

    @Test
    void findOnADeepTreeHoldsABoundedNumberOfDirectories() throws Exception {
        Path deep = root;
        for (int i = 0; i < 300; i++) {
            deep = deep.resolve("a");
        }
        Files.createDirectories(deep);
        int before = openDescriptors();
        AtomicInteger most = new AtomicInteger();
        storage.walk("", "", new Storage.Walker() {
            @Override
            public void begin() {}

            @Override
            public boolean visit(String relative, Entry entry) throws IOException {
                most.accumulateAndGet(openDescriptors(), Math::max);
                return true;
            }
        });
        int held = most.get() - before;
        // A directory per level (a SecureDirectoryStream holds two descriptors), 65 levels at most.
        assertTrue(held <= 2 * 65 + 16, "find held " + held + " descriptors on a 300-level tree");
    }

    private static int openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return (int) fds.count();
        }
    }

    @FunctionalInterface
    private interface Attempt {
        void run() throws Exception;
    }

    /** Runs {@code attempt}; a refusal or an I/O failure is a lost race, an assertion is not. */
    private static void quietly(Attempt attempt) throws Exception {
        try {
            attempt.run();
        } catch (RefusedException | IOException lostTheRace) {
            // Failing is fine; reaching outside is not.
        }
    }

    static void put(Storage storage, String path, byte[] content) throws RefusedException, IOException {
        try (UploadSession s = storage.openUpload(
                path,
                new UploadSession.Identity(content.length, md5(content)),
                new ft.protocol.FileAttributes(1_000_000L, 0644))) {
            s.begin(false);
            write(s, content);
            // Preserved attributes: a chmod and a utime between the last check and the rename.
            s.publish(md5(content), UploadSession.Condition.ALWAYS);
        }
    }

    private static void write(UploadSession s, byte[] content) throws IOException {
        WritableByteChannel out = s.channel();
        ByteBuffer buf = ByteBuffer.wrap(content);
        while (buf.hasRemaining()) {
            out.write(buf);
        }
    }

    private static Md5 md5(byte[] content) {
        return Md5.of(Body.newMd5().digest(content));
    }
}

package ft.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import ft.protocol.Md5;
import ft.testing.FileClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DigestJournalTest {
    private static final String FOX = "The quick brown fox jumps over the lazy dog";
    private static final Md5 FOX_MD5 = new Md5("9e107d9d372bb6826bd81d3542a419d6");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** Hashes for real and counts how often it had to. */
    private final AtomicInteger hashes = new AtomicInteger();

    private final DigestJournal.Hasher counting = (file, hashed) -> {
        hashes.incrementAndGet();
        return md5(Files.readAllBytes(file));
    };

    private Path journalFile() {
        return tmp.resolve("cache/ft/digests.jsonl");
    }

    private DigestJournal open() throws LocalIoException {
        return DigestJournal.open(journalFile(), counting);
    }

    private static Md5 md5(byte[] bytes) {
        try {
            return Md5.of(MessageDigest.getInstance("MD5").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private static Md5 md5(String text) {
        return md5(text.getBytes());
    }

    private Path file(String name, String content) throws IOException {
        return Files.writeString(tmp.resolve(name), content);
    }

    @Test
    void digestOfReturnsTheMd5OfTheContents() throws Exception {
        Path fox = file("fox.txt", FOX);
        try (DigestJournal journal = DigestJournal.open(journalFile())) {
            assertThat(journal.digestOf(fox)).isEqualTo(FOX_MD5);
            assertThat(journal.digestOf(file("empty", ""))).isEqualTo(new Md5("d41d8cd98f00b204e9800998ecf8427e"));
        }
    }

    @Test
    void readingAFileReportsTheBytesHashedAndAKnownDigestReportsNothing() throws Exception {
        byte[] big = new byte[600 * 1024 + 5]; // more than two of Body's buffers: several reports
        Path file = Files.write(tmp.resolve("big.bin"), big);
        List<Long> reported = new ArrayList<>();
        try (DigestJournal journal = DigestJournal.open(journalFile())) {
            assertThat(journal.digestOf(file, reported::add)).isEqualTo(md5(big));
            assertThat(reported).hasSizeGreaterThan(1).isSorted().endsWith((long) big.length);

            reported.clear();
            journal.digestOf(file, reported::add);
            assertThat(reported).as("known digest: nothing read").isEmpty();
        }
    }

    @Test
    void unchangedFileIsNotHashedAgainInThisRunOrTheNext() throws Exception {
        Path fox = file("fox.txt", FOX);
        try (DigestJournal journal = open()) {
            assertThat(journal.digestOf(fox)).isEqualTo(FOX_MD5);
            assertThat(journal.digestOf(fox)).isEqualTo(FOX_MD5);
            assertThat(hashes).hasValue(1);
        }
        try (DigestJournal rerun = open()) {
            assertThat(rerun.digestOf(tmp.resolve("./sub/../fox.txt")))
                    .as("same file, other spelling")
                    .isEqualTo(FOX_MD5);
            assertThat(rerun.lookup(fox)).contains(FOX_MD5);
        }
        assertThat(hashes).hasValue(1);
    }

    /** A change made to a file after its digest was recorded; returns the file's new content. */
    @FunctionalInterface
    interface Change {
        String apply(Path file, FileTime then) throws IOException;
    }

    static Stream<Arguments> changesThatMakeAFileHashedAgain() {
        return Stream.of(
                Arguments.of("new content and time, same size", (Change) (f, then) -> {
                    Files.writeString(f, "other version"); // same size: only the time tells
                    Files.setLastModifiedTime(f, FileTime.fromMillis(then.toMillis() + 2_000));
                    return "other version";
                }),
                Arguments.of("new size, same time", (Change) (f, then) -> {
                    Files.writeString(f, "much longer now");
                    Files.setLastModifiedTime(f, then);
                    return "much longer now";
                }),
                Arguments.of("replaced by another file of the same size and time", (Change) (f, then) -> {
                    // What a download does: a new file (new inode) renamed over the old one.
                    Path replacement = Files.writeString(f.resolveSibling("f.txt.new"), "other version");
                    Files.setLastModifiedTime(replacement, then);
                    Files.move(replacement, f, StandardCopyOption.REPLACE_EXISTING);
                    return "other version";
                }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("changesThatMakeAFileHashedAgain")
    void aChangedFileIsHashedAgain(String what, Change change) throws Exception {
        Path f = file("f.txt", "first version");
        FileTime then = Files.getLastModifiedTime(f);
        try (DigestJournal journal = open()) {
            assertThat(journal.digestOf(f)).isEqualTo(md5("first version"));
            String now = change.apply(f, then);
            assertThat(journal.lookup(f))
                    .as("the old digest must not be trusted")
                    .isEmpty();
            assertThat(journal.digestOf(f)).isEqualTo(md5(now));
            assertThat(hashes).hasValue(2);
        }
    }

    @Test
    void fileRewrittenInPlaceWithItsMtimeSetBackIsHashedAgain() throws Exception {
        Path f = file("f.txt", "first version");
        FileTime then = Files.getLastModifiedTime(f);
        try (DigestJournal journal = open()) {
            assertThat(journal.digestOf(f)).isEqualTo(md5("first version"));

            FileClock.awaitTickAfter((FileTime) Files.getAttribute(f, "unix:ctime"), tmp);
            Files.writeString(f, "other version"); // same size, same inode
            Files.setLastModifiedTime(f, then); // what touch -d does: size and mtime as before
            assertThat(journal.lookup(f))
                    .as("the old digest must not be trusted")
                    .isEmpty();
            assertThat(journal.digestOf(f)).isEqualTo(md5("other version"));
            assertThat(hashes).hasValue(2);
        }
        try (DigestJournal rerun = open()) {
            assertThat(rerun.lookup(f))
                    .as("the journal file holds the new version")
                    .contains(md5("other version"));
        }
    }

    @Test
    void recordStoresTheDigestOfTheFileAsItIsNow() throws Exception {
        Path f = file("verified.bin", "downloaded and verified");
        try (DigestJournal journal = open()) {
            assertThat(journal.lookup(f)).isEmpty();
            journal.record(f, md5("downloaded and verified"));
            assertThat(journal.lookup(f)).contains(md5("downloaded and verified"));
            assertThat(journal.digestOf(f)).isEqualTo(md5("downloaded and verified"));
        }
        assertThat(hashes).hasValue(0);
    }

    @Test
    void fileChangingWhileBeingHashedIsNotRecorded() throws Exception {
        Path f = file("growing.log", "line 1\n");
        DigestJournal.Hasher racing = (file, hashed) -> {
            hashes.incrementAndGet();
            Md5 before = md5(Files.readAllBytes(file));
            Files.writeString(file, "line 2\n", StandardOpenOption.APPEND); // the writer got in meanwhile
            return before;
        };
        try (DigestJournal journal = DigestJournal.open(journalFile(), racing)) {
            assertThat(journal.digestOf(f)).isEqualTo(md5("line 1\n"));
            assertThat(journal.lookup(f)).isEmpty();
            assertThat(Files.exists(journalFile())).as("nothing written").isFalse();
        }
    }

    @Test
    void openingOrLookingUpCreatesNothingTheFirstRecordCreatesTheDirectory() throws Exception {
        Path f = file("a", "a");
        try (DigestJournal journal = open()) {
            journal.lookup(f);
            assertThat(Files.exists(tmp.resolve("cache"))).isFalse();
            journal.digestOf(f);
            assertThat(journalFile()).isRegularFile();
        }
    }

    @Test
    void journalThatCannotBeWrittenFailsNothingAndSaysWhy() throws Exception {
        Path blocker = file("not-a-directory", "x");
        Path f = file("f.txt", FOX);
        try (DigestJournal journal = DigestJournal.open(blocker.resolve("digests.jsonl"), counting)) {
            assertThat(journal.writeFailure()).isEmpty();
            journal.record(f, FOX_MD5);
            assertThat(journal.writeFailure()).isPresent();
            assertThat(journal.lookup(f)).as("still remembered in memory").contains(FOX_MD5);
            assertThat(journal.digestOf(f)).isEqualTo(FOX_MD5);
        }
        assertThat(hashes).hasValue(0);
    }

    @Test
    void journalThatExistsButCannotBeReadIsAnErrorAtOpen() throws Exception {
        Files.createDirectories(journalFile());
        assertThatThrownBy(() -> DigestJournal.open(journalFile()))
                .isInstanceOf(LocalIoException.class)
                .hasMessageStartingWith("cannot read digest journal " + journalFile());
    }

    @Test
    void missingFileAndDirectoryAreNotErrors() throws Exception {
        try (DigestJournal journal = open()) {
            assertThat(journal.lookup(tmp.resolve("no-such-file"))).isEmpty();
            assertThat(journal.lookup(tmp)).isEmpty();
        }
    }

    @Test
    void eachRecordIsOneJsonLineWithTheDocumentedFields() throws Exception {
        Path fox = file("fox.txt", FOX);
        digestAndClose(fox);
        List<String> lines = Files.readAllLines(journalFile());
        assertThat(lines).hasSize(1);
        JsonNode n = JSON.readTree(lines.get(0));
        assertThat(n.get("path").asText())
                .isEqualTo(fox.toAbsolutePath().normalize().toString());
        assertThat(n.get("size").asLong()).isEqualTo(FOX.length());
        assertThat(n.get("mtime_ns").asLong())
                .isEqualTo(Files.getLastModifiedTime(fox).to(TimeUnit.NANOSECONDS));
        assertThat(n.get("ctime_ns").asLong())
                .isEqualTo(((FileTime) Files.getAttribute(fox, "unix:ctime")).to(TimeUnit.NANOSECONDS));
        assertThat(n.get("key").isTextual()).as("this file system has inodes").isTrue();
        assertThat(n.get("md5").asText()).isEqualTo(FOX_MD5.hex());
    }

    @Test
    void eachLineIsTakenOnlyWhenEveryFieldHasItsTypeAndTheLastOfARepeatedNameWins() throws Exception {
        Path fox = file("fox.txt", FOX);
        digestAndClose(fox);
        JsonNode n = JSON.readTree(Files.readString(journalFile()));
        String path = JSON.writeValueAsString(n.get("path").asText());
        long size = n.get("size").asLong();
        long mtime = n.get("mtime_ns").asLong();
        long ctime = n.get("ctime_ns").asLong();
        String key = JSON.writeValueAsString(n.get("key").asText());
        String md5 = "\"" + FOX_MD5.hex() + "\"";
        String other = "\"" + "0".repeat(32) + "\"";
        Map<String, Optional<Md5>> lines = new LinkedHashMap<>();
        String fields = "\"path\":" + path + ",\"size\":" + size + ",\"mtime_ns\":" + mtime + ",\"ctime_ns\":" + ctime;
        // A line from before ctime was recorded: a miss (the file is hashed once more), never a hit.
        lines.put(
                "{\"path\":" + path + ",\"size\":" + size + ",\"mtime_ns\":" + mtime + ",\"key\":" + key + ",\"md5\":"
                        + md5 + "}",
                Optional.empty());
        lines.put(
                "{\"path\":" + path + ",\"size\":" + size + ",\"mtime_ns\":" + mtime + ",\"ctime_ns\":\"" + ctime
                        + "\",\"key\":" + key + ",\"md5\":" + md5 + "}",
                Optional.empty());
        lines.put("{" + fields + ",\"key\":" + key + ",\"md5\":" + md5 + "}", Optional.of(FOX_MD5));
        lines.put(
                "  {" + fields + ",\"key\":" + key + ",\"md5\":" + md5 + ",\"x\":[{\"y\":1.5}]}  ",
                Optional.of(FOX_MD5));
        lines.put(
                "{" + fields + ",\"key\":" + key + ",\"md5\":" + other + ",\"md5\":" + md5 + "}", Optional.of(FOX_MD5));
        lines.put(
                "{" + fields + ",\"key\":" + key + ",\"md5\":" + md5 + ",\"md5\":" + other + "}",
                Optional.of(new Md5("0".repeat(32))));
        lines.put("{" + fields + ",\"md5\":" + md5 + "}", Optional.empty()); // no key at all
        lines.put("{" + fields + ",\"key\":7,\"md5\":" + md5 + "}", Optional.empty());
        lines.put(
                "{\"path\":" + path + ",\"size\":" + size + ".0,\"mtime_ns\":" + mtime + ",\"ctime_ns\":" + ctime
                        + ",\"key\":" + key + ",\"md5\":" + md5 + "}",
                Optional.empty());
        lines.put(
                "{\"path\":" + path + ",\"size\":\"" + size + "\",\"mtime_ns\":" + mtime + ",\"ctime_ns\":" + ctime
                        + ",\"key\":" + key + ",\"md5\":" + md5 + "}",
                Optional.empty());
        lines.put("{" + fields + ",\"key\":" + key + ",\"md5\":" + md5 + "} 1", Optional.empty());
        lines.put("{" + fields + ",\"key\":" + key + ",\"md5\":" + md5 + ",}", Optional.empty());
        lines.put("[{" + fields + ",\"key\":" + key + ",\"md5\":" + md5 + "}]", Optional.empty());
        for (Map.Entry<String, Optional<Md5>> line : lines.entrySet()) {
            Files.writeString(journalFile(), line.getKey() + "\n");
            try (DigestJournal journal = open()) {
                assertThat(journal.lookup(fox)).as(line.getKey()).isEqualTo(line.getValue());
            }
        }
    }

    @Test
    void corruptLinesAreSkippedAndDoNotSpoilLaterAppends() throws Exception {
        Path fox = file("fox.txt", FOX);
        digestAndClose(fox);
        String good = Files.readString(journalFile());
        Files.writeString(
                journalFile(),
                "not json at all\n"
                        + "[1, 2, 3]\n"
                        + "\n"
                        + "{\"path\": 7, \"size\": 1, \"mtime_ns\": 1, \"key\": null, \"md5\": \"" + FOX_MD5 + "\"}\n"
                        + "{\"path\": \"/x\", \"size\": 1, \"mtime_ns\": 1, \"key\": null, \"md5\": \"nope\"}\n"
                        + good.strip() + good.strip() + "\n" // two lines run together
                        + "\u0000\u00ff garbage\n"
                        + good
                        + good.substring(0, good.length() / 2), // cut short, no newline: a crash mid-write
                StandardOpenOption.TRUNCATE_EXISTING);

        Path other = file("other.txt", "other");
        try (DigestJournal journal = open()) {
            assertThat(journal.lookup(fox)).contains(FOX_MD5);
            journal.digestOf(other);
        }
        try (DigestJournal reopened = open()) {
            assertThat(reopened.lookup(other)).as("the line after the torn one").contains(md5("other"));
            assertThat(reopened.lookup(fox)).contains(FOX_MD5);
        }
        assertThat(hashes).as("fox once at first, other once").hasValue(2);
    }

    @Test
    void concurrentRecordsFromEightThreadsAndTwoJournalsAllSurviveWhole() throws Exception {
        int threads = 8;
        int perThread = 150;
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < threads * perThread; i++) {
            files.add(file("f" + i, "content " + i));
        }
        // Two journals on one file stand for two ft processes appending at once.
        DigestJournal first = open();
        DigestJournal second = open();
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int from = t * perThread;
                DigestJournal journal = t % 2 == 0 ? first : second;
                done.add(pool.submit(() -> {
                    start.await();
                    for (Path f : files.subList(from, from + perThread)) {
                        journal.record(f, md5(Files.readAllBytes(f)));
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
            first.close();
            second.close();
        }

        List<String> lines = Files.readAllLines(journalFile());
        assertThat(lines).hasSize(threads * perThread);
        for (String line : lines) {
            assertThat(JSON.readTree(line).size()).as(line).isEqualTo(6);
        }
        try (DigestJournal reopened = open()) {
            for (int i = 0; i < files.size(); i++) {
                assertThat(reopened.lookup(files.get(i))).contains(md5("content " + i));
            }
        }
        assertThat(hashes).hasValue(0);
    }

    @Test
    void bloatedJournalIsRewrittenWithOnlyLiveEntriesAtOpen() throws Exception {
        Path a = file("a", "a");
        Path b = file("b", "b");
        digestAndClose(a, b);
        String stale = "{\"path\":\"/gone\",\"size\":1,\"mtime_ns\":%d,\"ctime_ns\":null,\"key\":null,\"md5\":\""
                + FOX_MD5 + "\"}\n";
        StringBuilder bloat = new StringBuilder();
        for (int i = 0; i < JournalLog.COMPACT_MIN_LINES; i++) {
            bloat.append(String.format(stale, i)); // one path recorded over and over: one live entry
        }
        Files.writeString(journalFile(), bloat, StandardOpenOption.APPEND);
        assertThat(Files.readAllLines(journalFile())).hasSize(JournalLog.COMPACT_MIN_LINES + 2);

        try (DigestJournal journal = open()) {
            assertThat(journal.lookup(a)).contains(md5("a"));
        }
        List<String> lines = Files.readAllLines(journalFile());
        assertThat(lines).hasSize(3);
        assertThat(lines).anyMatch(l -> l.contains("\"mtime_ns\":" + (JournalLog.COMPACT_MIN_LINES - 1) + ","));
        try (DigestJournal reopened = open()) {
            assertThat(reopened.lookup(a)).contains(md5("a"));
            assertThat(reopened.lookup(b)).contains(md5("b"));
        }
        try (var left = Files.list(journalFile().getParent())) {
            assertThat(left).as("no temporary file left").containsExactly(journalFile());
        }
        assertThat(hashes).hasValue(2);
    }

    /** Writes {@code journal} as the whole journal, opens and closes it, and counts the lines left. */
    private void assertLinesAfterOpening(String journal, int expected) throws Exception {
        Files.writeString(journalFile(), journal);
        open().close();
        assertThat(Files.readAllLines(journalFile())).hasSize(expected);
    }

    @Test
    void journalIsLeftAloneUnlessItHasBothManyLinesAndManyPerEntry() throws Exception {
        Files.createDirectories(journalFile().getParent());
        int floor = JournalLog.COMPACT_MIN_LINES;
        // At the floor, all for one path: stale, but too few lines to be worth a rewrite.
        assertLinesAfterOpening(staleLines(floor, 1), floor);

        // Past the floor, but no more than four lines per live entry.
        int paths = (floor + 1 + JournalLog.COMPACT_RATIO - 1) / JournalLog.COMPACT_RATIO;
        assertLinesAfterOpening(staleLines(floor + 1, paths), floor + 1);

        // One path fewer tips it over the ratio.
        assertLinesAfterOpening(staleLines(floor + 1, paths - 1), paths - 1);
    }

    @Test
    void lazyJournalReadsTheFileOnlyAtTheFirstLookupKeepingWhatWasRecordedBefore() throws Exception {
        Path a = file("a", "a");
        Path b = file("b", "b");
        digestAndClose(a);
        // Bloat: compacted at the first read, after b was recorded through an open appender.
        Files.writeString(journalFile(), staleLines(JournalLog.COMPACT_MIN_LINES, 1), StandardOpenOption.APPEND);
        Path c = file("c", "c");
        try (DigestJournal journal = DigestJournal.openLazily(journalFile(), counting)) {
            journal.record(b, md5("b"));
            assertThat(Files.readAllLines(journalFile()))
                    .as("not read, not compacted yet")
                    .hasSize(JournalLog.COMPACT_MIN_LINES + 2);
            assertThat(journal.lookup(a)).contains(md5("a"));
            assertThat(journal.lookup(b)).contains(md5("b"));
            assertThat(Files.readAllLines(journalFile()))
                    .as("compacted at the first read")
                    .hasSize(3);
            journal.digestOf(c); // recorded after the compaction: must land in the new file
        }
        try (DigestJournal reopened = open()) {
            assertThat(reopened.lookup(a)).contains(md5("a"));
            assertThat(reopened.lookup(b)).contains(md5("b"));
            assertThat(reopened.lookup(c)).contains(md5("c"));
        }
        assertThat(hashes).as("a once, c once").hasValue(2);
    }

    @Test
    void lazyJournalThatCannotBeReadFailsTheFirstDigestNotTheOpen() throws Exception {
        Files.createDirectories(journalFile());
        Path fox = file("fox.txt", FOX);
        try (DigestJournal journal = DigestJournal.openLazily(journalFile(), counting)) {
            assertThat(journal.lookup(fox)).isEmpty();
            assertThatThrownBy(() -> journal.digestOf(fox))
                    .isInstanceOf(LocalIoException.class)
                    .hasMessageStartingWith("cannot read digest journal " + journalFile());
        }
    }

    /** Opens the journal, has it digest {@code files}, and closes it. */
    private void digestAndClose(Path... files) throws Exception {
        try (DigestJournal journal = open()) {
            for (Path f : files) {
                journal.digestOf(f);
            }
        }
    }

    private static String staleLines(int lines, int paths) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines; i++) {
            sb.append("{\"path\":\"/gone/")
                    .append(i % paths)
                    .append("\",\"size\":1,\"mtime_ns\":")
                    .append(i)
                    .append(",\"ctime_ns\":")
                    .append(i)
                    .append(",\"key\":null,\"md5\":\"")
                    .append(FOX_MD5)
                    .append("\"}\n");
        }
        return sb.toString();
    }

    @Test
    void defaultLocationIsDigestsJsonlInFtsCacheDirectory() {
        Map<String, String> env = Map.of("XDG_CACHE_HOME", "/var/cache/me", "HOME", "/home/me");
        assertThat(DigestJournal.defaultLocation(env))
                .isEqualTo(XdgDirs.cache(env).resolve("digests.jsonl"))
                .isEqualTo(Path.of("/var/cache/me/ft/digests.jsonl"));
    }

    /** Issue 14, finding 8: the journal tells which local files have which digests; it is private whatever the umask. */
    @Test
    void theJournalIsMade0600InDirectoriesMade0700() throws Exception {
        Path fox = file("fox.txt", FOX);
        try (DigestJournal journal = DigestJournal.open(journalFile())) {
            journal.digestOf(fox);
        }
        assertThat(mode(journalFile())).isEqualTo("rw-------");
        assertThat(mode(journalFile().getParent())).isEqualTo("rwx------");
        assertThat(mode(tmp.resolve("cache"))).isEqualTo("rwx------");

        // A compaction's rewrite is private too.
        JournalLog log = new JournalLog(journalFile());
        log.compact(Map.of());
        assertThat(mode(journalFile())).isEqualTo("rw-------");
    }

    @Test
    void aJournalPlantedAsALinkIsNeverWrittenThrough() throws Exception {
        Path canary = Files.writeString(tmp.resolve("canary"), "the victim's file\n");
        Files.createDirectories(journalFile().getParent());
        Files.createSymbolicLink(journalFile(), canary);
        Path fox = file("fox.txt", FOX);
        try (DigestJournal journal = DigestJournal.openLazily(journalFile(), counting)) {
            journal.record(fox, FOX_MD5);
        }
        assertThat(canary).hasContent("the victim's file\n");
        assertThatThrownBy(() -> DigestJournal.open(journalFile(), counting)).isInstanceOf(LocalIoException.class);
        assertThat(canary).hasContent("the victim's file\n");
    }

    private static String mode(Path p) throws IOException {
        return java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(p, java.nio.file.LinkOption.NOFOLLOW_LINKS));
    }
}

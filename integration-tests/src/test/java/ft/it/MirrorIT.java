package ft.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import ft.testing.FaultProxy;
import ft.testing.ReportLines;
import ft.testing.TestData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ft get -r}: a tree mirrored, interrupted the hard way, and completed by a rerun. */
class MirrorIT {
    private static final int BIG_FILES = 40;
    private static final int BIG_SIZE = 4 << 20;
    /** Per connection, so with -j 4 the whole first mirror would need about five seconds. */
    private static final long THROTTLE_BYTES_PER_SECOND = 8L << 20;

    @TempDir
    Path tmp;

    @Test
    void mirrorKilledWithSigkillRerunsOnlyTheMissingWork() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root"));
        Path data = Files.createDirectories(root.resolve("data"));
        for (int i = 0; i < BIG_FILES; i++) {
            TestData.randomFile(data.resolve(String.format("f%02d.bin", i)), BIG_SIZE, i);
        }
        Files.createDirectories(data.resolve("sub"));
        TestData.randomFile(data.resolve("sub/a.bin"), (1 << 20) + 123, 100);
        Files.writeString(data.resolve("sub/notes.txt"), "three small files beside the big ones\n");
        Files.createFile(data.resolve("sub/zero.bin"));
        Files.createDirectories(data.resolve("empty"));

        Map<String, String> expected = md5sUnder(data);
        Map<String, Long> sizes = filesUnder(data);
        Set<String> expectedDirs = directoriesUnder(data);
        long totalSize = sizes.values().stream().mapToLong(Long::longValue).sum();
        assertThat(expected).hasSize(BIG_FILES + 3);
        assertThat(expectedDirs).containsExactlyInAnyOrder("sub", "empty");

        Path work = Files.createDirectories(tmp.resolve("work"));
        Path outData = work.resolve("out/data");
        // One home for all three runs, so the reruns see the digests the first run recorded.
        FtProcesses.Launch launch = FtProcesses.Launch.isolatedIn(tmp.resolve("home"));

        try (FtProcesses.Server server = new FtProcesses.Server(root, launch);
                FaultProxy proxy = new FaultProxy(server.address)) {
            proxy.setDefault(
                    FaultProxy.Faults.none().throttle(FaultProxy.Direction.DOWNSTREAM, THROTTLE_BYTES_PER_SECOND));
            // 1. Mirror over a slow link and kill -9 the client partway.
            Process client = FtProcesses.start(
                    work, launch, "-s", proxy.address(), "get", "-r", "-j", "4", "--json", "data", "-o", "out");
            AtomicReference<Map<String, Long>> seen = new AtomicReference<>(Map.of());
            try {
                await("3 complete files and a partial download midway under " + outData)
                        .atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(5))
                        .until(() -> {
                            if (!client.isAlive()) {
                                return true; // told apart below
                            }
                            Map<String, Long> now = filesUnder(outData);
                            seen.set(now);
                            long completeBig = now.entrySet().stream()
                                    .filter(e -> isFinal(e.getKey()) && e.getValue() == BIG_SIZE)
                                    .count();
                            boolean midway = now.entrySet().stream()
                                    .anyMatch(e -> e.getKey().endsWith(".ftpart")
                                            && e.getValue() >= (1 << 20)
                                            && e.getValue() <= BIG_SIZE - (1 << 20));
                            // Three whole files in place and another one well under way, far from its end.
                            return completeBig >= 3 && midway;
                        });
            } catch (ConditionTimeoutException e) {
                client.destroyForcibly();
                fail("no 3 complete files and a partial download midway under " + outData + " within 60 s; saw "
                        + seen.get() + "; stderr: " + Files.readString(work.resolve(".err")));
            }
            if (!client.isAlive()) {
                fail("the first mirror ended (exit " + client.exitValue() + ") before it could be killed; "
                        + "lower THROTTLE_BYTES_PER_SECOND. stderr: " + Files.readString(work.resolve(".err")));
            }
            assertThat(client.isAlive())
                    .as("the first mirror is still running when killed")
                    .isTrue();
            client.destroyForcibly();
            assertThat(client.waitFor(30, TimeUnit.SECONDS))
                    .as("the killed client ended")
                    .isTrue();
            assertThat(client.exitValue())
                    .as("ended by SIGKILL (128 + 9), not on its own")
                    .isEqualTo(137);
            assertThat(proxy.connections())
                    .as("the first mirror went through the throttling proxy")
                    .isPositive();

            Map<String, Long> afterKill = filesUnder(outData);
            Set<String> completeBeforeKill = afterKill.keySet().stream()
                    .filter(MirrorIT::isFinal)
                    .collect(Collectors.toCollection(TreeSet::new));
            Map<String, Long> partials = new TreeMap<>();
            afterKill.forEach((path, size) -> {
                if (path.endsWith(".ftpart") && size > 0) {
                    partials.put(finalName(path), size);
                }
            });
            assertThat(completeBeforeKill.size())
                    .as("files in place at the kill")
                    .isGreaterThanOrEqualTo(3)
                    .isLessThan(expected.size());
            assertThat(partials).as("partial downloads left by the kill").isNotEmpty();
            // Nothing unverified ever appears under a final name, kill or no kill.
            for (String path : completeBeforeKill) {
                assertThat(TestData.md5Hex(outData.resolve(path)))
                        .as("content of %s, in place at the kill", path)
                        .isEqualTo(expected.get(path));
            }

            // 2. The same command, straight to the server: only the missing work is done.
            long t0 = System.nanoTime();
            FtProcesses.Result rerun = mirror(work, launch, server.address);
            long rerunMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertThat(rerun.exit()).as("rerun exit; stderr: %s", rerun.err()).isZero();
            Map<String, Map<String, Object>> byPath = reportByPath(rerun.out(), expected.keySet());

            long transferred = 0;
            long unchangedSize = 0;
            for (Map.Entry<String, Map<String, Object>> e : byPath.entrySet()) {
                String path = e.getKey();
                Map<String, Object> line = e.getValue();
                long size = sizes.get(path);
                assertThat(line.get("size")).as("size of %s", path).isEqualTo(size);
                assertThat(line.get("md5")).as("md5 of %s", path).isEqualTo(expected.get(path));
                long bytes = (Long) line.get("bytes_transferred");
                long resumedFrom = (Long) line.get("resumed_from");
                transferred += bytes;
                if (completeBeforeKill.contains(path)) {
                    assertThat(line.get("status"))
                            .as("%s was complete before the kill: %s", path, line)
                            .isEqualTo("unchanged");
                    assertThat(bytes)
                            .as("bytes moved for %s, complete before the kill", path)
                            .isZero();
                }
                if ("unchanged".equals(line.get("status"))) {
                    unchangedSize += size;
                } else {
                    assertThat(line.get("status")).as("%s: %s", path, line).isEqualTo("ok");
                    assertThat(bytes + resumedFrom)
                            .as("bytes moved plus resumed_from for %s", path)
                            .isEqualTo(size);
                }
                if (partials.containsKey(path)) {
                    assertThat(resumedFrom)
                            .as("%s continues from the byte where the kill stopped it", path)
                            .isEqualTo(partials.get(path));
                }
            }
            assertThat(byPath.values())
                    .as("files resumed from a partial")
                    .anyMatch(line -> (Long) line.get("resumed_from") > 0);
            assertThat(transferred)
                    .as("bytes moved by the rerun (total %d, unchanged %d)", totalSize, unchangedSize)
                    .isLessThanOrEqualTo(totalSize - unchangedSize);
            assertSameTree(outData, expected, expectedDirs);

            // 3. Once more: nothing left to do.
            FtProcesses.Result third = mirror(work, launch, server.address);
            assertThat(third.exit())
                    .as("third run exit; stderr: %s", third.err())
                    .isZero();
            for (Map.Entry<String, Map<String, Object>> e :
                    reportByPath(third.out(), expected.keySet()).entrySet()) {
                assertThat(e.getValue().get("status"))
                        .as("third run, %s: %s", e.getKey(), e.getValue())
                        .isEqualTo("unchanged");
                assertThat(e.getValue().get("bytes_transferred"))
                        .as("third run, bytes for %s", e.getKey())
                        .isEqualTo(0L);
            }
            assertSameTree(outData, expected, expectedDirs);
            System.out.printf(
                    "MirrorIT: %d of %d files in place at the kill, %d partials; rerun moved %d of %d "
                            + "bytes in %d ms%n",
                    completeBeforeKill.size(), expected.size(), partials.size(), transferred, totalSize, rerunMillis);
        }
    }

    private static FtProcesses.Result mirror(Path work, FtProcesses.Launch launch, String server)
            throws IOException, InterruptedException {
        return FtProcesses.run(work, launch, "-s", server, "get", "-r", "-j", "4", "--json", "data", "-o", "out");
    }

    /** The --json report keyed by path under out/data; exactly one line per expected file. */
    private static Map<String, Map<String, Object>> reportByPath(String stdout, Set<String> files) {
        List<Map<String, Object>> lines = JsonLines.parse(stdout);
        Map<String, Map<String, Object>> byPath = new TreeMap<>();
        for (Map<String, Object> line : lines) {
            assertThat(line).as("a report line").containsKeys(ReportLines.FIELDS.toArray(String[]::new));
            assertThat(line.get("op")).isEqualTo("get");
            String path = Path.of("out", "data")
                    .relativize(Path.of((String) line.get("local")))
                    .toString();
            assertThat(line.get("remote")).as("remote of %s", path).isEqualTo("data/" + path);
            assertThat(byPath.put(path, line))
                    .as("a second report line for %s", path)
                    .isNull();
        }
        assertThat(byPath.keySet()).as("files reported").containsExactlyInAnyOrderElementsOf(files);
        assertThat(lines).as("report lines").hasSize(files.size());
        return byPath;
    }

    /** out/data holds exactly the server's tree: same paths, same bytes, nothing else. */
    private static void assertSameTree(Path outData, Map<String, String> expected, Set<String> expectedDirs)
            throws IOException {
        Map<String, Long> files = filesUnder(outData);
        assertThat(files.keySet())
                .as("files under %s (leftover partials would show here)", outData)
                .containsExactlyInAnyOrderElementsOf(expected.keySet());
        assertThat(directoriesUnder(outData))
                .as("directories under %s", outData)
                .containsExactlyInAnyOrderElementsOf(expectedDirs);
        assertThat(md5sUnder(outData)).as("contents under %s", outData).isEqualTo(expected);
    }

    private static boolean isFinal(String relative) {
        return !Path.of(relative).getFileName().toString().startsWith(".");
    }

    /** {@code sub/.a.bin.ftpart} → {@code sub/a.bin}. */
    private static String finalName(String partial) {
        Path p = Path.of(partial);
        String name = p.getFileName().toString();
        String base = name.substring(1, name.length() - ".ftpart".length());
        return p.getParent() == null ? base : p.getParent().resolve(base).toString();
    }

    /**
     * Regular files under {@code dir} by relative path, with sizes; empty if {@code dir} does
     * not exist yet. Tolerates files renamed while it looks (a download finishing).
     */
    private static Map<String, Long> filesUnder(Path dir) throws IOException {
        for (int attempt = 0; ; attempt++) {
            if (!Files.isDirectory(dir)) {
                return Map.of();
            }
            Map<String, Long> files = new TreeMap<>();
            try (Stream<Path> all = Files.walk(dir)) {
                for (Path p : (Iterable<Path>) all::iterator) {
                    BasicFileAttributes a =
                            Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                    if (!a.isDirectory()) {
                        files.put(dir.relativize(p).toString(), a.size());
                    }
                }
                return files;
            } catch (NoSuchFileException | UncheckedIOException renamedMeanwhile) {
                if (attempt >= 100) {
                    throw renamedMeanwhile;
                }
            }
        }
    }

    private static Set<String> directoriesUnder(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            return all.filter(p -> !p.equals(dir) && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
                    .map(p -> dir.relativize(p).toString())
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    private static Map<String, String> md5sUnder(Path dir) throws IOException {
        Map<String, String> md5s = new TreeMap<>();
        for (String path : filesUnder(dir).keySet()) {
            md5s.put(path, TestData.md5Hex(dir.resolve(path)));
        }
        return md5s;
    }
}

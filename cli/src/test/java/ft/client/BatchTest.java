package ft.client;

import static ft.testing.FaultProxy.Direction.DOWNSTREAM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import ft.testing.FaultProxy;
import ft.testing.FaultProxy.Faults;
import ft.testing.ReportLines;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Many files per command: parallel, verified, machine-readable, and cheap to rerun. */
class BatchTest extends CliHarness {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<JsonNode> jsonLines(String stdout) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : stdout.split("\\R")) {
            if (!line.isEmpty()) {
                lines.add(JSON.readTree(line));
            }
        }
        return lines;
    }

    /** Every regular file and directory under {@code top}, relative path → content (dirs: "/"). */
    private static Map<String, String> tree(Path top) throws IOException {
        Map<String, String> tree = new TreeMap<>();
        try (Stream<Path> all = Files.walk(top)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                String rel = top.relativize(p).toString();
                if (rel.isEmpty()
                        || rel.startsWith(".ft")
                        || p.getFileName().toString().startsWith(".")) {
                    continue;
                }
                tree.put(rel, Files.isDirectory(p) ? "/" : md5(Files.readAllBytes(p)));
            }
        }
        return tree;
    }

    private Path smallFiles(Path dir, int count) throws IOException {
        Files.createDirectories(dir);
        for (int i = 0; i < count; i++) {
            Files.write(dir.resolve(String.format("f%03d.dat", i)), random(100 + i * 37, i));
        }
        return dir;
    }

    @Test
    void fiveHundredSmallFilesUpAndDownWithFourJobsAllVerified() throws IOException {
        Path source = smallFiles(local.resolve("many"), 500);

        Run put = ft("put", "-r", "-j", "4", "--json", source.toString());
        assertThat(put.exit()).as(put.err()).isZero();
        List<JsonNode> up = jsonLines(put.out());
        assertThat(up)
                .hasSize(500)
                .allSatisfy(j -> assertThat(j.get("status").asText()).isEqualTo("ok"));
        assertThat(tree(root.resolve("many"))).isEqualTo(tree(source));

        Path out = local.resolve("out");
        Run get = ft("get", "-r", "-j", "4", "--json", "many", "-o", out.toString());
        assertThat(get.exit()).as(get.err()).isZero();
        List<JsonNode> down = jsonLines(get.out());
        assertThat(down).hasSize(500).allSatisfy(j -> {
            assertThat(j.get("status").asText()).isEqualTo("ok");
            assertThat(j.get("md5").asText()).hasSize(32);
        });
        assertThat(tree(out.resolve("many"))).isEqualTo(tree(source));
    }

    @Test
    void rerunTransfersNothingAndSaysUnchangedForEveryFile() throws IOException {
        smallFiles(root.resolve("set"), 20);
        Path out = local.resolve("out");
        assertThat(ft("get", "-r", "set", "-o", out.toString()).exit()).isZero();

        Run again = ft("get", "-r", "--json", "set", "-o", out.toString());
        assertThat(again.exit()).as(again.err()).isZero();
        assertThat(jsonLines(again.out())).hasSize(20).allSatisfy(j -> {
            assertThat(j.get("status").asText()).isEqualTo("unchanged");
            assertThat(j.get("bytes_transferred").asLong()).isZero();
        });

        Run human = ft("get", "-r", "set", "-o", out.toString());
        assertThat(human.err().lines().filter(l -> l.endsWith(" unchanged"))).hasSize(20);
        assertThat(human.err()).contains("20 files: 0 transferred, 20 unchanged, 0 failed");

        Run putAgain = ft("put", "-r", "--json", out.resolve("set").toString());
        assertThat(jsonLines(putAgain.out()))
                .hasSize(20)
                .allSatisfy(j -> assertThat(j.get("status").asText()).isEqualTo("unchanged"));
    }

    @Test
    void putOfATreeAsksAboutOnlyTheFilesTheServerAlreadyHoldsAtTheSameSize() throws IOException {
        Path source = smallFiles(local.resolve("tree"), 6);
        Files.createDirectories(root.resolve("up/tree"));
        Files.copy(source.resolve("f000.dat"), root.resolve("up/tree/f000.dat")); // identical
        Files.write(root.resolve("up/tree/f001.dat"), new byte[3]); // another size

        List<String> stats = new java.util.concurrent.CopyOnWriteArrayList<>();
        ch.qos.logback.classic.Logger access =
                (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("ft.access");
        ch.qos.logback.classic.Level before = access.getLevel();
        ch.qos.logback.core.AppenderBase<ch.qos.logback.classic.spi.ILoggingEvent> counter =
                new ch.qos.logback.core.AppenderBase<>() {
                    @Override
                    protected void append(ch.qos.logback.classic.spi.ILoggingEvent e) {
                        String line = e.getFormattedMessage();
                        if (line.contains(" stat ")) {
                            stats.add(line);
                        }
                    }
                };
        counter.start();
        access.addAppender(counter);
        access.setLevel(ch.qos.logback.classic.Level.INFO);
        Run put;
        try {
            put = ft("put", "-r", "--json", source.toString(), "up/");
        } finally {
            access.detachAppender(counter);
            access.setLevel(before);
        }
        assertThat(put.exit()).as(put.err()).isZero();
        Map<String, String> status = new TreeMap<>();
        for (JsonNode j : jsonLines(put.out())) {
            status.put(j.get("remote").asText(), j.get("status").asText());
        }
        assertThat(status)
                .containsEntry("up/tree/f000.dat", "unchanged")
                .containsEntry("up/tree/f001.dat", "ok")
                .hasSize(6);
        assertThat(tree(root.resolve("up/tree"))).isEqualTo(tree(source));
        // The listing showed four files absent and one of another size: only f000 needed asking.
        assertThat(stats).hasSize(1).allSatisfy(l -> assertThat(l).contains("up/tree/f000.dat"));
    }

    @Test
    void listWithMissingEntriesExitsEightAndTransfersTheRest() throws IOException {
        smallFiles(root.resolve("d"), 3);
        Path list = Files.writeString(
                local.resolve("wanted.txt"),
                String.join(
                        "\n",
                        "# nightly pull",
                        "d/f000.dat",
                        "",
                        "d/missing.dat",
                        "  d/f002.dat  ",
                        "nope/gone.dat",
                        ""));
        Path out = local.resolve("in");

        Run run = ft("get", "-i", list.toString(), "--json", "-o", out.toString());
        assertThat(run.exit()).as(run.err()).isEqualTo(8);
        List<JsonNode> lines = jsonLines(run.out());
        assertThat(lines).hasSize(4);
        Map<String, String> statusByRemote = new TreeMap<>();
        for (JsonNode j : lines) {
            statusByRemote.put(
                    j.get("remote").asText(),
                    j.get("status").asText()
                            + (j.get("code").isNull() ? "" : "/" + j.get("code").asText()));
        }
        assertThat(statusByRemote)
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        "d/f000.dat",
                        "ok",
                        "d/f002.dat",
                        "ok",
                        "d/missing.dat",
                        "error/NOT_FOUND",
                        "nope/gone.dat",
                        "error/NOT_FOUND"));
        assertThat(out.resolve("f000.dat")).hasSameBinaryContentAs(root.resolve("d/f000.dat"));
        assertThat(out.resolve("f002.dat")).hasSameBinaryContentAs(root.resolve("d/f002.dat"));
        assertThat(out.resolve("missing.dat")).doesNotExist();
    }

    @Test
    void jsonModeWritesOnlyJsonLinesWithEveryField() throws IOException {
        Files.write(Files.createDirectories(root).resolve("a.bin"), random(1000, 1));
        Run run = ft("get", "--json", "a.bin", "missing.bin", "-o", local.toString());
        assertThat(run.exit()).isEqualTo(8);
        List<JsonNode> lines = jsonLines(run.out());
        assertThat(lines)
                .hasSize(2)
                .allSatisfy(j -> assertThat(j.fieldNames()).toIterable().containsExactlyElementsOf(ReportLines.FIELDS));
        JsonNode ok = lines.stream()
                .filter(j -> j.get("remote").asText().equals("a.bin"))
                .findFirst()
                .orElseThrow();
        assertThat(ok.get("size").asLong()).isEqualTo(1000);
        assertThat(ok.get("bytes_transferred").asLong()).isEqualTo(1000);
        assertThat(ok.get("op").asText()).isEqualTo("get");
    }

    @Test
    void droppedConnectionsMidBatchAreResumedNotRestarted() throws IOException {
        List<byte[]> files = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            files.add(random(2 * MIB, 100 + i));
            Files.write(Files.createDirectories(root.resolve("big")).resolve("b" + i + ".bin"), files.get(i));
        }
        Path out = local.resolve("out");
        // Connection 1 plans the batch (a small listing, never cut); connections 2 and 3 are
        // cut after 1.5 MiB from the server; from connection 4 on everything gets through.
        try (FaultProxy proxy =
                FaultProxy.start(server.address(), Faults.none().cutAfter(DOWNSTREAM, 3 * MIB / 2), 3)) {
            Run run = ft("-s", proxy.address(), "get", "-r", "-j", "1", "--json", "big", "-o", out.toString());
            assertThat(run.exit()).as(run.err()).isZero();
            List<JsonNode> lines = jsonLines(run.out());
            assertThat(lines)
                    .hasSize(3)
                    .allSatisfy(j -> assertThat(j.get("status").asText()).isEqualTo("ok"));
            assertThat(lines)
                    .filteredOn(j -> j.get("resumed_from").asLong() > 0)
                    .hasSizeGreaterThanOrEqualTo(2);
            long moved = lines.stream()
                    .mapToLong(j -> j.get("bytes_transferred").asLong())
                    .sum();
            assertThat(moved).isLessThan(6L * MIB);
        }
        for (int i = 0; i < 3; i++) {
            assertThat(out.resolve("big/b" + i + ".bin")).hasBinaryContent(files.get(i));
        }
    }

    @Test
    void aRetrySaysHowLongItWaitsAndWhyUnlessQuiet() throws IOException {
        Files.createDirectories(root);
        Files.write(root.resolve("one.bin"), random(2 * MIB, 1));
        Files.write(root.resolve("two.bin"), random(2 * MIB, 2));
        Path out = local.resolve("out");
        // A single file: its only connection is cut once.
        try (FaultProxy proxy = FaultProxy.start(server.address(), Faults.none().cutAfter(DOWNSTREAM, MIB), 1)) {
            Run run = ft("-s", proxy.address(), "get", "one.bin", "-o", out + "/");
            assertThat(run.exit()).as(run.err()).isZero();
            assertThat(run.err()).contains("ft: retrying in 1 ms: connection lost");
        }
        // A batch: connection 1 plans it, connection 2 is cut; the note names the file.
        try (FaultProxy proxy = FaultProxy.start(server.address(), Faults.none().cutAfter(DOWNSTREAM, MIB), 2)) {
            Run run = ft("-s", proxy.address(), "get", "-j", "1", "two.bin", "one.bin", "-o", out + "/again/");
            assertThat(run.exit()).as(run.err()).isZero();
            assertThat(run.err()).contains("ft: two.bin: retrying in 1 ms: connection lost");
        }
        try (FaultProxy proxy = FaultProxy.start(server.address(), Faults.none().cutAfter(DOWNSTREAM, MIB), 1)) {
            Run run = ft("-q", "-s", proxy.address(), "get", "two.bin", "-o", out + "/quiet/");
            assertThat(run.exit()).as(run.err()).isZero();
            assertThat(run.err()).isEmpty();
        }
    }

    @Test
    void onATerminalABatchDrawsOneLineWithResultsAboveItAndEndsWithTheTimeTaken() throws IOException {
        Path dir = smallFiles(local.resolve("up"), 5);
        env.put("FT_STDERR_TTY", "1");
        Run run = ft("put", "-r", dir.toString(), "t/");
        assertThat(run.exit()).as(run.err()).isZero();
        String err = run.err().replace("\u001b[K", "");
        assertThat(err).contains("\r0/5 files").contains("5/5 files 100%");
        // What the terminal is left with: each row as its last carriage return left it.
        List<String> rows = Stream.of(err.split("\n"))
                .map(r -> r.substring(r.lastIndexOf('\r') + 1))
                .toList();
        assertThat(rows)
                .filteredOn(r -> r.contains("files"))
                .as("one aggregate line, then the summary")
                .hasSize(2)
                .satisfies(l -> assertThat(l.get(0)).matches("5/5 files 100% 870 B in 0:\\d\\d at .*/s"))
                .satisfies(l -> assertThat(l.get(1)).startsWith("ft: 5 files: 5 transferred"));
    }

    @Test
    void recursiveRoundTripPreservesNestedTreeWithEmptyDirsUnicodeAndSpaces() throws IOException {
        Path src = local.resolve("tree");
        Files.createDirectories(src.resolve("empty/also empty"));
        Files.createDirectories(src.resolve("données/été 2026"));
        Files.write(src.resolve("données/été 2026/rapport final.csv"), random(5000, 1));
        Files.write(src.resolve("données/ünïcödé 😀.txt"), random(10, 2));
        Files.write(src.resolve("top level.bin"), random(0, 3));
        Files.createDirectories(src.resolve("a/b/c/d"));
        Files.write(src.resolve("a/b/c/d/deep.txt"), "deep".getBytes());

        Run put = ft("put", "-r", src.toString(), "backup/");
        assertThat(put.exit()).as(put.err()).isZero();
        assertThat(tree(root.resolve("backup/tree"))).isEqualTo(tree(src));

        Path out = local.resolve("restored");
        Run get = ft("get", "-r", "backup/tree", "-o", out.toString());
        assertThat(get.exit()).as(get.err()).isZero();
        assertThat(tree(out.resolve("tree"))).isEqualTo(tree(src));
        assertThat(get.err()).contains("4 files: 4 transferred");
    }

    @Test
    void globsSelectOnTheServerAndAPathologicalPatternReturnsQuickly() throws IOException {
        Files.createDirectories(root.resolve("logs/old"));
        Files.writeString(root.resolve("logs/a.gz"), "a");
        Files.writeString(root.resolve("logs/b.gz"), "b");
        Files.writeString(root.resolve("logs/c.txt"), "c");
        Files.writeString(root.resolve("logs/old/d.gz"), "d");
        Files.writeString(root.resolve("logs/" + "a".repeat(200)), "x");

        Run star = ft("get", "logs/*.gz", "-o", local.resolve("one").toString());
        assertThat(star.exit()).as(star.err()).isZero();
        try (Stream<Path> got = Files.list(local.resolve("one"))) {
            assertThat(got.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("a.gz", "b.gz");
        }

        Run deep = ft("get", "**/*.gz", "-o", local.resolve("all").toString());
        assertThat(deep.exit()).as(deep.err()).isZero();
        assertThat(local.resolve("all/logs/old/d.gz")).hasContent("d");

        String evil = "logs/" + "*a".repeat(60) + "b";
        Run slow = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> ft("get", evil, "-o", local.toString()));
        assertThat(slow.exit()).isEqualTo(4);
        assertThat(slow.err()).contains("no remote file matches");
    }

    @Test
    void noClobberRefusesToReplaceADifferingLocalFile() throws IOException {
        Files.writeString(Files.createDirectories(root).resolve("a.txt"), "server");
        Path mine = Files.writeString(local.resolve("a.txt"), "mine, different");
        Run run = ft("get", "--no-clobber", "a.txt", "-o", mine.toString());
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains("(EXISTS)");
        assertThat(mine).hasContent("mine, different");
    }

    @Test
    void failFastStopsStartingNewFilesAfterTheFirstFailure() throws IOException {
        smallFiles(root.resolve("d"), 5);
        Run run = ft(
                "get",
                "--fail-fast",
                "-j",
                "1",
                "--json",
                "d/missing.dat",
                "d/f000.dat",
                "d/f001.dat",
                "-o",
                local.toString());
        // The failure, and the two files never started as skipped: the batch exits with the failure's code.
        assertThat(run.exit()).isEqualTo(4);
        assertThat(jsonLines(run.out())).hasSize(3);
        assertThat(run.out().lines().filter(l -> l.contains("\"status\":\"skipped\"")))
                .hasSize(2);
        assertThat(local.resolve("f001.dat")).doesNotExist();
    }

    @Test
    void putOfSeveralFilesIntoARemoteDirectory() throws IOException {
        Path a = Files.writeString(local.resolve("a.csv"), "1");
        Path b = Files.writeString(local.resolve("b.csv"), "2");
        Run run = ft("put", a.toString(), b.toString(), "data/");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(root.resolve("data/a.csv")).hasContent("1");
        assertThat(root.resolve("data/b.csv")).hasContent("2");
        assertThat(run.out().lines())
                .containsExactlyInAnyOrder(md5("1".getBytes()) + "  data/a.csv", md5("2".getBytes()) + "  data/b.csv");
    }
}

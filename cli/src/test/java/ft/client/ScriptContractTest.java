package ft.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import ft.cli.ExitStatus;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The contract with scripts: exactly one JSON line per file, whatever happens (an unreachable
 * server, a stopped batch, a skipped link), and no failure that ends in exit 0.
 */
class ScriptContractTest extends CliHarness {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<JsonNode> lines(Run run) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : run.out().lines().toList()) {
            lines.add(JSON.readTree(line));
        }
        return lines;
    }

    /** A port on 127.0.0.1 where nothing listens. */
    private static String deadServer() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return "127.0.0.1:" + s.getLocalPort();
        }
    }

    @Test
    void everyFileOfAGetFromAnUnreachableServerHasItsLine() throws IOException {
        Path list = localFile("wanted.txt", "a.txt\nb.txt\nlogs/*.gz\n".getBytes(StandardCharsets.UTF_8));
        Run run = ft(
                "-s",
                deadServer(),
                "get",
                "--retries",
                "0",
                "--json",
                "-i",
                list.toString(),
                "c.txt",
                "-r",
                "d",
                "-o",
                local.resolve("out").toString());
        assertThat(run.exit()).as(run.err()).isEqualTo(3);
        List<JsonNode> lines = lines(run);
        assertThat(lines)
                .extracting(l -> l.get("remote").asText())
                .containsExactlyInAnyOrder("c.txt", "d", "a.txt", "b.txt", "logs/*.gz");
        assertThat(lines).allSatisfy(l -> {
            assertThat(l.get("status").asText()).isEqualTo("error");
            assertThat(l.get("code").asText()).isEqualTo("CONNECT_FAILED");
        });
    }

    @Test
    void everyFileOfAPutTreeToAnUnreachableServerHasItsLine() throws IOException {
        localFile("tree/a.bin", new byte[10]);
        localFile("tree/sub/b.bin", new byte[20]);
        Run run = ft(
                "-s",
                deadServer(),
                "put",
                "--retries",
                "0",
                "--json",
                "-r",
                local.resolve("tree").toString(),
                "up/");
        assertThat(run.exit()).as(run.err()).isEqualTo(3);
        assertThat(lines(run))
                .extracting(
                        l -> l.get("remote").asText() + " " + l.get("status").asText())
                .containsExactlyInAnyOrder("up/tree/a.bin error", "up/tree/sub/b.bin error");
    }

    @Test
    void filesAFailFastStopNeverStartedAreReportedSkipped() throws IOException {
        remoteFile("b.txt", new byte[5]);
        remoteFile("c.txt", new byte[5]);
        Run run = ft(
                "get",
                "--json",
                "--fail-fast",
                "-j",
                "1",
                "missing.txt",
                "b.txt",
                "c.txt",
                "-o",
                local.resolve("out").toString());
        assertThat(run.exit()).as(run.err()).isEqualTo(4);
        List<JsonNode> lines = lines(run);
        assertThat(lines).hasSize(3);
        assertThat(lines.getFirst().get("status").asText()).isEqualTo("error");
        assertThat(lines.subList(1, 3)).allSatisfy(l -> {
            assertThat(l.get("status").asText()).isEqualTo("skipped");
            assertThat(l.get("message").asText()).contains("--fail-fast");
        });
    }

    @Test
    void aFailureInsideAWorkerIsOneInternalErrorNeverSuccess() throws Exception {
        Transfer t = Transfer.get("a.txt", local.resolve("a.txt"));
        List<Outcome> outcomes = new ArrayList<>();
        Batch batch = new Batch(
                () -> {
                    throw new IllegalStateException("a bug");
                },
                new Batch.Options(2, 3, Duration.ZERO, false, false, true),
                DigestJournal.openLazily(tmp.resolve("j")),
                x -> Progress.NONE,
                outcomes::add);
        batch.run(List.of(t));
        assertThat(outcomes).singleElement().satisfies(o -> {
            assertThat(o.status()).isEqualTo(Outcome.Status.ERROR);
            assertThat(o.code()).isEqualTo("INTERNAL");
            assertThat(ExitStatus.of(o.family(), o.code()).code()).isEqualTo(1);
            assertThat(o.message()).contains("internal error").contains("a bug");
        });
    }

    @Test
    void symbolicLinksInAPutTreeAreReportedSkippedOrFollowedWithL() throws IOException {
        Path tree = Files.createDirectories(local.resolve("tree"));
        Path target = localFile("elsewhere/real.txt", "real".getBytes(StandardCharsets.UTF_8));
        localFile("tree/plain.txt", "plain".getBytes(StandardCharsets.UTF_8));
        Files.createSymbolicLink(tree.resolve("link.txt"), target);
        Files.createSymbolicLink(tree.resolve("loop"), tree);

        Run run = ft("put", "--json", "-r", tree.toString(), "up/");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(lines(run))
                .extracting(
                        l -> l.get("remote").asText() + " " + l.get("status").asText())
                .containsExactlyInAnyOrder("up/tree/plain.txt ok", "up/tree/link.txt skipped", "up/tree/loop skipped");
        assertThat(root.resolve("up/tree/link.txt")).doesNotExist();

        Run human = ft("put", "-r", tree.toString(), "up2/");
        assertThat(human.err()).contains("link.txt: skipped: a symbolic link, not followed (-L follows links)");

        Run followed = ft("put", "--json", "-L", "-r", tree.toString(), "up3/");
        assertThat(followed.exit()).as(followed.err()).isZero();
        assertThat(root.resolve("up3/tree/link.txt")).hasContent("real");
        assertThat(lines(followed))
                .extracting(
                        l -> l.get("remote").asText() + " " + l.get("status").asText())
                .contains("up3/tree/loop skipped");
    }

    @Test
    void statJsonHasThePathItsHelpPromises() throws IOException {
        remoteFile("d/a.txt", new byte[3]);
        Run run = ft("stat", "--json", "d/a.txt");
        assertThat(JSON.readTree(run.out()).get("path").asText()).isEqualTo("d/a.txt");
        assertThat(ft("stat", "--help").out()).contains("One JSON object per path and line: path, type");
    }

    @Test
    void severalRemotePathsAreEachHandledAndReported() throws IOException {
        remoteFile("a", new byte[1]);
        remoteFile("b", new byte[2]);
        Run stat = ft("stat", "--json", "a", "nope", "b");
        assertThat(stat.exit()).as("some found, one missing").isEqualTo(8);
        assertThat(stat.out().lines()).hasSize(2);
        assertThat(stat.err()).isEqualTo("ft: stat nope: 'nope' does not exist (NOT_FOUND)\n");

        assertThat(ft("mkdir", "x", "y").exit()).isZero();
        assertThat(root.resolve("x")).isDirectory();
        assertThat(root.resolve("y")).isDirectory();

        Run rm = ft("rm", "a", "nope");
        assertThat(rm.exit()).isEqualTo(8);
        assertThat(root.resolve("a")).doesNotExist();
        Run force = ft("rm", "-f", "b", "nope", "also-not");
        assertThat(force.exit()).as(force.err()).isZero();
        assertThat(force.err()).isEmpty();
        assertThat(root.resolve("b")).doesNotExist();
        assertThat(ft("rm", "-f").exit()).isZero();
        assertThat(ft("rm", "nope", "also-not").exit())
                .as("all missing: NOT_FOUND's own status")
                .isEqualTo(4);
    }

    @Test
    void lsShowsHumanSizesAndWholeTrees() throws IOException {
        remoteFile("d/big.bin", new byte[3 * MIB / 2]);
        remoteFile("d/sub/small.txt", new byte[17]);
        assertThat(ft("ls", "-l", "-h", "d").out()).contains(" 1.5 MiB ").contains("big.bin");
        assertThat(ft("ls", "-lh", "d/sub").out()).contains("17 B").contains("small.txt");
        assertThat(ft("ls", "-R", "d").out().lines()).containsExactlyInAnyOrder("big.bin", "sub/", "sub/small.txt");
        AtomicInteger n = new AtomicInteger();
        ft("ls", "-R", "--json", "/").out().lines().forEach(l -> n.incrementAndGet());
        assertThat(n.get()).isEqualTo(4);
    }
}

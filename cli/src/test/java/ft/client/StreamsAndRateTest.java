package ft.client;

import static ft.testing.FaultProxy.Direction.DOWNSTREAM;
import static org.assertj.core.api.Assertions.assertThat;

import ft.protocol.Md5;
import ft.protocol.Response;
import ft.testing.FaultProxy;
import ft.testing.FaultProxy.Faults;
import ft.testing.ScriptedServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Standard input and output as a file's two ends (like curl and tar), and bandwidth limits. */
class StreamsAndRateTest extends CliHarness {
    @Test
    void aDownloadToStandardOutputWritesExactlyTheFileAndNothingElse() throws IOException {
        byte[] data = random(3 * MIB + 17, 1);
        remoteFile("big.bin", data);
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        Run run = ftWithStreams(new byte[0], stdout, "get", "big.bin", "-o", "-");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(stdout.toByteArray()).isEqualTo(data);
        assertThat(run.out()).isEmpty();
        try (Stream<Path> s = Files.list(Path.of("."))) {
            assertThat(s).noneMatch(p -> p.getFileName().toString().contains("ftpart"));
        }
    }

    @Test
    void aDownloadToStandardOutputCutShortResumesAtTheBytesWritten() throws IOException {
        byte[] data = random(4 * MIB, 2);
        remoteFile("big.bin", data);
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        // The proxy cuts the first connection only; the retry goes through whole.
        try (FaultProxy proxy = FaultProxy.start(server.address(), Faults.none().cutAfter(DOWNSTREAM, MIB), 1)) {
            Run run = ftWithStreams(new byte[0], stdout, "-s", proxy.address(), "get", "big.bin", "-o", "-");
            assertThat(run.exit()).as(run.err()).isZero();
            assertThat(run.err()).contains("resuming at");
        }
        assertThat(stdout.toByteArray()).isEqualTo(data);
    }

    @Test
    void damagedBytesOnStandardOutputEndInExitFive() throws IOException {
        byte[] body = "the bytes that came".getBytes();
        Md5 announced = new Md5(md5("the bytes that were meant".getBytes()));
        try (ScriptedServer s = new ScriptedServer(
                ScriptedServer.getAnswer(new Response.GetOk("x.bin", body.length, announced, 0), body))) {
            ByteArrayOutputStream stdout = new ByteArrayOutputStream();
            Run run =
                    ftWithStreams(new byte[0], stdout, "-s", s.address(), "get", "--retries", "0", "x.bin", "-o", "-");
            assertThat(run.exit()).as(run.err()).isEqualTo(5);
            assertThat(run.err()).contains("(CHECKSUM_MISMATCH)").contains("discard them");
            assertThat(stdout.toByteArray()).isEqualTo(body);
        }
    }

    @Test
    void standardOutputIsForOneFileAndNeverForJson() {
        assertThat(ft("get", "a", "b", "-o", "-").err()).contains("exactly one remote file");
        assertThat(ft("get", "--json", "a", "-o", "-").err()).contains("--json cannot be used with -o -");
    }

    @Test
    void anUploadFromStandardInputArrivesWholeAndLeavesNoTemporaryFile() throws IOException {
        byte[] data = random(2 * MIB + 5, 3);
        Path tmpDir = Files.createDirectories(tmp.resolve("spool"));
        env.put("TMPDIR", tmpDir.toString());
        Run run = ftWithStreams(data, new ByteArrayOutputStream(), "put", "-", "from/stdin.bin");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo(md5(data) + "  from/stdin.bin\n");
        assertThat(run.err()).contains("reading standard input into a temporary file");
        assertThat(root.resolve("from/stdin.bin")).hasBinaryContent(data);
        assertThat(tmpDir).isEmptyDirectory();
        assertThat(ft("put", "-").err()).contains("needs a remote name");
    }

    @Test
    void limitRateHoldsADownloadAndAnUploadToTheirPace() throws IOException {
        byte[] data = random(3 * MIB, 4);
        remoteFile("paced.bin", data);
        long t0 = System.nanoTime();
        Run get = ft(
                "get",
                "--limit-rate",
                "1M",
                "paced.bin",
                "-o",
                local.resolve("paced.bin").toString());
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        assertThat(get.exit()).as(get.err()).isZero();
        assertThat(local.resolve("paced.bin")).hasBinaryContent(data);
        assertThat(took).as("3 MiB at 1 MiB/s").isGreaterThan(Duration.ofMillis(1500));

        t0 = System.nanoTime();
        Run put = ft("put", "--limit-rate", "1024K", local.resolve("paced.bin").toString(), "back.bin");
        took = Duration.ofNanos(System.nanoTime() - t0);
        assertThat(put.exit()).as(put.err()).isZero();
        assertThat(root.resolve("back.bin")).hasBinaryContent(data);
        assertThat(took).as("3 MiB at 1 MiB/s").isGreaterThan(Duration.ofMillis(1500));

        assertThat(ft("get", "--limit-rate", "fast", "x").err()).contains("'fast' is not a size");
    }
}

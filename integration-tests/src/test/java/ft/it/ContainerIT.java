package ft.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectImageResponse;
import ft.testing.FaultProxy;
import ft.testing.TestData;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;

/**
 * The server shipped as a container image: built by Testcontainers from the repository's
 * Dockerfile, started with the host's network and listening on 127.0.0.1 only, and used
 * through the packaged CLI on the host, as a user would.
 *
 * <p>Without a Docker engine these tests are skipped, and say so loudly; {@code .ci/run}
 * installs and starts one so that CI runs them. The tests share one container, in order: the
 * round trip sees it as started, the later ones pause and restart it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ContainerIT {
    private static final int FILE_SIZE = 64 << 20;
    /** The link's pace when a test must catch a transfer in the middle: 8 s for the whole file. */
    private static final long RATE = 8L << 20;

    @TempDir
    static Path scratch;

    private static GenericContainer<?> server;
    private static String address;
    private static DockerClient docker;
    private static ServerImage image;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startServerContainer() throws Exception {
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            System.err.println("""

                    ************************************************************************
                    *  ContainerIT SKIPPED: no Docker engine is reachable, so the server   *
                    *  image was neither built nor tested. Start dockerd (as .ci/run does) *
                    *  to run these tests.                                                  *
                    ************************************************************************
                    """);
            return;
        }
        docker = DockerClientFactory.instance().client();
        address = "127.0.0.1:" + freeLoopbackPort();
        image = new ServerImage(scratch);
        server = new GenericContainer<>(image.image)
                .withNetworkMode("host")
                .withEnv("FT_LISTEN", address)
                .waitingFor(Wait.forHealthcheck().withStartupTimeout(Duration.ofMinutes(2)));
        server.start();
    }

    /** Each test, not the class, is skipped, so that the reports count every skipped promise. */
    @BeforeEach
    void requireDocker() {
        assumeTrue(docker != null, "SKIPPED: ContainerIT needs a Docker engine; none is reachable");
    }

    @AfterAll
    static void stopServerContainer() {
        if (server != null) {
            server.stop();
        }
        if (image != null) {
            image.remove(docker);
        }
    }

    /** Picks a port for the server inside the container: it shares the host's network. */
    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    @Test
    @Order(1)
    void imageServesAsUnprivilegedUserFromItsDataVolumeAndReportsHealthy() throws Exception {
        InspectImageResponse inspected = docker.inspectImageCmd(image.name).exec();
        assertThat(inspected.getConfig().getUser()).isEqualTo("10001:10001");
        assertThat(inspected.getConfig().getVolumes()).containsKey("/data");
        assertThat(inspected.getConfig().getHealthcheck().getTest()).containsExactly("CMD", "ft-healthcheck");
        // Started with Wait.forHealthcheck: the image's own check (an ft ping) passed.
        assertThat(health()).isEqualTo("healthy");
        assertThat(server.getLogs()).contains("ft: serving /data on " + address);

        Path work = Files.createDirectories(tmp.resolve("work"));
        Path source = TestData.randomFile(work.resolve("round.bin"), 3 << 20, 51);
        String md5 = TestData.md5Hex(source);
        FtProcesses.Result put = FtProcesses.run(work, "-s", address, "put", "round.bin", "in/round.bin");
        assertThat(put.exit()).as(put.err()).isZero();
        assertThat(put.out().strip()).isEqualTo(md5 + "  in/round.bin");

        FtProcesses.Result get = FtProcesses.run(work, "-s", address, "get", "in/round.bin", "-o", "back.bin");
        assertThat(get.exit()).as(get.err()).isZero();
        assertThat(TestData.md5Hex(work.resolve("back.bin"))).isEqualTo(md5);
    }

    @Test
    @Order(2)
    void pausedContainerMakesTheClientGiveUpWithExit3AndTheRerunResumes() throws Exception {
        Path work = Files.createDirectories(tmp.resolve("work"));
        Path source = TestData.randomFile(work.resolve("paused.bin"), FILE_SIZE, 52);
        String md5 = TestData.md5Hex(source);
        assertThat(FtProcesses.run(work, "-s", address, "put", "paused.bin").exit())
                .isZero();
        Files.delete(source);

        try (FaultProxy slow = new FaultProxy(address)) {
            slow.setDefault(FaultProxy.Faults.none().throttle(FaultProxy.Direction.DOWNSTREAM, RATE));
            Process client = FtProcesses.start(
                    work, "-s", slow.address(), "--timeout", "2", "get", "--retries", "0", "paused.bin");
            Path partial = work.resolve(".paused.bin.ftpart");
            await("the download holds 8 MiB")
                    .atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(5))
                    .until(() -> TestFiles.size(partial) >= 8 << 20);
            docker.pauseContainerCmd(server.getContainerId()).exec();
            try {
                assertThat(client.waitFor(60, TimeUnit.SECONDS))
                        .as("client gave up while the server was paused")
                        .isTrue();
                String err = Files.readString(work.resolve(".err"));
                assertThat(client.exitValue()).as(err).isEqualTo(3);
                assertThat(err).contains("TIMEOUT");
            } finally {
                docker.unpauseContainerCmd(server.getContainerId()).exec();
            }
        }
        assertThat(work.resolve("paused.bin")).doesNotExist();
        long held = Files.size(work.resolve(".paused.bin.ftpart"));
        assertThat(held).isBetween(8L << 20, (long) FILE_SIZE - 1);

        FtProcesses.Result rerun = FtProcesses.run(work, "-s", address, "get", "paused.bin");
        assertThat(rerun.exit()).as(rerun.err()).isZero();
        assertThat(resumedAt(rerun.err())).isEqualTo(held);
        assertThat(TestData.md5Hex(work.resolve("paused.bin"))).isEqualTo(md5);
    }

    @Test
    @Order(3)
    void containerRestartedMidUploadKeepsNothingHalfWrittenAndTheUploadResumes() throws Exception {
        Path work = Files.createDirectories(tmp.resolve("work"));
        Path source = TestData.randomFile(work.resolve("restart.bin"), FILE_SIZE, 53);
        String md5 = TestData.md5Hex(source);
        long upstream;
        try (FaultProxy slow = new FaultProxy(address)) {
            slow.setDefault(FaultProxy.Faults.none().throttle(FaultProxy.Direction.UPSTREAM, RATE));
            Process client = FtProcesses.start(work, "-s", slow.address(), "put", "--retries", "0", "restart.bin");
            await("the upload passes 16 MiB")
                    .atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(5))
                    .until(() -> slow.bytes(FaultProxy.Direction.UPSTREAM) >= 16 << 20);
            int startsBefore = servingLines();
            docker.restartContainerCmd(server.getContainerId()).withTimeout(0).exec();
            assertThat(client.waitFor(60, TimeUnit.SECONDS))
                    .as("client ended when the server went away")
                    .isTrue();
            String err = Files.readString(work.resolve(".err"));
            assertThat(client.exitValue()).as(err).isEqualTo(3);
            awaitServing(startsBefore + 1);
            upstream = slow.bytes(FaultProxy.Direction.UPSTREAM);
        }

        // The restarted server shows no trace of the interrupted upload under any client path.
        FtProcesses.Result missing = FtProcesses.run(work, "-s", address, "stat", "restart.bin");
        assertThat(missing.exit()).as(missing.out() + missing.err()).isEqualTo(4);
        FtProcesses.Result ls = FtProcesses.run(work, "-s", address, "ls");
        assertThat(ls.exit()).as(ls.err()).isZero();
        assertThat(ls.out()).doesNotContain("restart").doesNotContain(".ft");

        FtProcesses.Result rerun = FtProcesses.run(work, "-s", address, "put", "restart.bin");
        assertThat(rerun.exit()).as(rerun.err()).isZero();
        assertThat(rerun.out().strip()).isEqualTo(md5 + "  restart.bin");
        assertThat(resumedAt(rerun.err())).isPositive().isLessThanOrEqualTo(upstream);

        FtProcesses.Result back = FtProcesses.run(work, "-s", address, "get", "restart.bin", "-o", "back.bin");
        assertThat(back.exit()).as(back.err()).isZero();
        assertThat(TestData.md5Hex(work.resolve("back.bin"))).isEqualTo(md5);
        // The image's health check follows the server through the restart.
        await("the restarted container is healthy")
                .atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofMillis(5))
                .until(() -> "healthy".equals(health()));
    }

    private static String health() {
        return docker.inspectContainerCmd(server.getContainerId())
                .exec()
                .getState()
                .getHealth()
                .getStatus();
    }

    private static long resumedAt(String stderr) {
        Matcher m = Pattern.compile("resuming at [^(]*\\((\\d+) bytes\\)").matcher(stderr);
        assertThat(m.find()).as("the rerun says it resumes: " + stderr).isTrue();
        return Long.parseLong(m.group(1));
    }

    private static int servingLines() {
        return server.getLogs().split("ft: serving ", -1).length - 1;
    }

    private static void awaitServing(int times) {
        await("the restarted server serves again")
                .atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofMillis(5))
                .until(() -> servingLines() >= times);
    }
}

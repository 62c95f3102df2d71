package ft.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ft.cli.ExitStatus;
import ft.protocol.HostPort;
import ft.protocol.Ping;
import ft.server.FtServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Pinger} against real UDP sockets on 127.0.0.1. */
class PingerTest {
    private static final Duration SHORT = Duration.ofMillis(300);
    private static final Duration GENEROUS = Duration.ofSeconds(10);

    @TempDir
    Path tmp;

    private static HostPort hostPort(InetSocketAddress address) {
        return new HostPort("127.0.0.1", address.getPort());
    }

    private static DatagramChannel bindLoopback() throws IOException {
        DatagramChannel channel = DatagramChannel.open();
        channel.bind(new InetSocketAddress("127.0.0.1", 0));
        return channel;
    }

    @Test
    void realServerAnswersEveryPingWithItsClock() throws Exception {
        try (FtServer server = FtServer.start(tmp.resolve("root"), new InetSocketAddress("127.0.0.1", 0))) {
            Pinger.Result result = Pinger.ping(hostPort(server.address()), 4, GENEROUS);

            assertThat(result.sent()).isEqualTo(4);
            assertThat(result.received()).isEqualTo(4);
            assertThat(result.minRtt()).isPositive();
            assertThat(result.medianRtt()).isGreaterThanOrEqualTo(result.minRtt());
            // Same machine, same clock: only rounding and scheduling separate the two readings.
            assertThat(result.clockOffsetMillis()).isCloseTo(0L, within(1_000L));
        }
    }

    @Test
    void silentPortIsATimeoutAfterEveryPingWasSentPadded() throws Exception {
        try (DatagramChannel silent = bindLoopback()) {
            HostPort server = hostPort((InetSocketAddress) silent.getLocalAddress());

            assertThatThrownBy(() -> Pinger.ping(server, 2, SHORT))
                    .isInstanceOfSatisfying(ConnectionException.class, e -> {
                        assertThat(e.code()).isEqualTo(ConnectionException.TIMEOUT);
                        assertThat(ExitStatus.of(e).code()).isEqualTo(3);
                    })
                    .hasMessage("no answer from " + server + " to 2 UDP pings within 300 ms");

            // Both pings did leave, each padded so that a server may answer it.
            silent.configureBlocking(false);
            ByteBuffer buffer = ByteBuffer.allocate(1024);
            List<Integer> lengths = new ArrayList<>();
            for (int i = 0; i < 3 && silent.receive(buffer.clear()) != null; i++) {
                lengths.add(buffer.position());
                assertThat(Ping.decodeRequest(buffer.array(), buffer.position()))
                        .isPresent();
            }
            assertThat(lengths).containsExactly(Pinger.REQUEST_BYTES, Pinger.REQUEST_BYTES);
        }
    }

    @Test
    void closedPortFailsAtOnceInsteadOfWaitingOutTheTimeout() throws Exception {
        InetSocketAddress closed;
        try (DatagramChannel probe = bindLoopback()) {
            closed = (InetSocketAddress) probe.getLocalAddress();
        }
        // The loopback interface answers a datagram to a closed port with ICMP "port
        // unreachable"; without it this would be a TIMEOUT after 2 x 10 s, not CONNECT_FAILED.
        assertThatThrownBy(() -> Pinger.ping(hostPort(closed), 2, GENEROUS))
                .isInstanceOfSatisfying(
                        ConnectionException.class,
                        e -> assertThat(e.code()).isEqualTo(ConnectionException.CONNECT_FAILED))
                .hasMessageContaining("nothing answers pings on UDP port " + closed.getPort());
    }

    @Test
    void undecodableDatagramsAreIgnoredUntilTheRealReply() throws Exception {
        long serverTime = System.currentTimeMillis() + 60_000;
        try (DatagramChannel fake = bindLoopback()) {
            CompletableFuture<Void> answering = CompletableFuture.runAsync(() -> {
                try {
                    ByteBuffer buffer = ByteBuffer.allocate(1024);
                    SocketAddress client = fake.receive(buffer);
                    for (String junk : List.of(
                            "not json",
                            "{\"status\":\"error\"}",
                            "[1,2]",
                            "{\"status\":\"ok\",\"version\":1,\"time\":\"12\"}",
                            "{\"status\":\"ok\",\"version\":1,\"time\":1,\"time\":2}")) {
                        fake.send(ByteBuffer.wrap(junk.getBytes(StandardCharsets.UTF_8)), client);
                    }
                    fake.send(ByteBuffer.wrap(Ping.encode(new Ping.Reply(1, serverTime))), client);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            Pinger.Result result = Pinger.ping(hostPort((InetSocketAddress) fake.getLocalAddress()), 1, GENEROUS);
            answering.get(10, TimeUnit.SECONDS);

            assertThat(result.sent()).isEqualTo(1);
            assertThat(result.received()).isEqualTo(1);
            // The fake server's clock runs a minute ahead of ours.
            assertThat(result.clockOffsetMillis()).isCloseTo(60_000L, within(1_000L));
        }
    }

    @Test
    void nonsenseArgumentsAreRefusedBeforeAnythingIsSent() {
        HostPort server = new HostPort("127.0.0.1", 9);
        assertThatThrownBy(() -> Pinger.ping(server, 0, GENEROUS)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Pinger.ping(server, 1, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }
}

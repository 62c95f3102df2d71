package ft.client;

import static ft.testing.FaultProxy.Direction.DOWNSTREAM;
import static ft.testing.FaultProxy.Direction.UPSTREAM;
import static org.assertj.core.api.Assertions.assertThat;

import ft.protocol.HeaderCodec;
import ft.protocol.HostPort;
import ft.protocol.Md5;
import ft.protocol.Protocol;
import ft.protocol.Request;
import ft.protocol.Response;
import ft.testing.FaultProxy;
import ft.testing.FaultProxy.Faults;
import ft.testing.ScriptedServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Batches of small files over connections that take requests sent ahead (PROTOCOL.md,
 * "Pipelining"): a connection cut with requests outstanding costs no file its one verified
 * copy, and a server that does not offer pipelining gets one request at a time.
 */
class PipelinedBatchTest extends CliHarness {
    private static final HeaderCodec CODEC = new HeaderCodec();
    private static final int FILES = 40;
    private static final int SIZE = 16 * 1024;

    @Test
    void aPipelinedBatchWhoseConnectionIsCutMidWayEndsWithEveryFileVerifiedAndPublishedOnce() throws Exception {
        Map<String, byte[]> content = new HashMap<>();
        List<Transfer> transfers = new ArrayList<>();
        Path out = local.resolve("out");
        for (int i = 0; i < FILES; i++) {
            String name = String.format("d/f%02d", i);
            byte[] bytes = random(SIZE, i);
            remoteFile(name, bytes);
            content.put(name, bytes);
            transfers.add(Transfer.get(name, out.resolve(name), SIZE));
        }
        InetSocketAddress direct =
                new InetSocketAddress("127.0.0.1", server.address().getPort());
        // The first connection is cut after about a quarter of the answers; later ones go direct.
        try (FaultProxy proxy = FaultProxy.start(direct, Faults.none().cutAfter(DOWNSTREAM, 10L * SIZE + 500))) {
            AtomicInteger connections = new AtomicInteger();
            Batch.Connector connector = () -> FtClient.connect(HostPort.parse(
                    connections.getAndIncrement() == 0 ? proxy.address() : "127.0.0.1:" + direct.getPort()));
            List<Outcome> outcomes = new CopyOnWriteArrayList<>();
            try (DigestJournal journal = DigestJournal.openLazily(local.resolve("journal"))) {
                new Batch(
                                connector,
                                new Batch.Options(1, 3, Duration.ZERO, false, false, true),
                                journal,
                                t -> new Progress() {},
                                outcomes::add)
                        .run(transfers);
            }
            assertThat(proxy.awaitCut(Duration.ofSeconds(10))).isTrue();

            // Every request went ahead on the first connection before the cut: 40 gets behind one
            // hello, which one request at a time (at most 11 answers before the cut) cannot send.
            long sentOnFirst = helloFrameBytes();
            for (Transfer t : transfers) {
                sentOnFirst += 4 + CODEC.encode(new Request.Get(t.remote(), 0).withKeepalive(10_000)).length;
            }
            assertThat(proxy.bytes(UPSTREAM)).isEqualTo(sentOnFirst);
            assertThat(connections.get()).isEqualTo(2);
            assertThat(outcomes)
                    .hasSize(FILES)
                    .allSatisfy(o -> assertThat(o.failed()).isFalse());
            assertThat(outcomes.stream().map(o -> o.transfer().remote()).distinct())
                    .hasSize(FILES);
        }
        assertPublished(out, content);
    }

    private static long helloFrameBytes() {
        return 4 + CODEC.encode(new Request.Hello(Protocol.VERSION)).length + 4;
    }

    private static void assertPublished(Path out, Map<String, byte[]> content) throws IOException {
        // Each target holds exactly its file, and nothing else is left beside them.
        for (Map.Entry<String, byte[]> e : content.entrySet()) {
            assertThat(Files.readAllBytes(out.resolve(e.getKey()))).isEqualTo(e.getValue());
        }
        try (Stream<Path> files = Files.list(out.resolve("d"))) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).hasSize(content.size());
        }
    }

    @Test
    void aServerThatDoesNotOfferPipeliningGetsOneRequestAtATime() throws Exception {
        Response.Limits old = new Response.Limits(1L << 40, 1L << 40, false, true, true, true);
        Response.Limits offering = new Response.Limits(1L << 40, 1L << 40, false, true, true, true, true);
        // The same scripted server, once without and once with pipelining in its hello: the
        // second run shows the count would see requests sent ahead if there were any.
        assertThat(sentAheadTo(old)).isZero();
        assertThat(sentAheadTo(offering)).isPositive();
    }

    private int sentAheadTo(Response.Limits limits) throws Exception {
        Map<String, byte[]> files = new HashMap<>();
        List<Transfer> transfers = new ArrayList<>();
        Path out = Files.createDirectories(local.resolve("old-" + limits.pipeline()));
        for (int i = 0; i < 10; i++) {
            String name = "f" + i;
            files.put(name, random(1000 + i, i));
            transfers.add(Transfer.get(name, out.resolve(name), 1000 + i));
        }
        List<Outcome> outcomes = new CopyOnWriteArrayList<>();
        try (ScriptedServer old = new ScriptedServer(new Response.HelloOk(Protocol.VERSION, "old", limits), request -> {
                    Request.Get get = (Request.Get) request;
                    byte[] body = files.get(get.path());
                    return ScriptedServer.Reply.keepOpen(ScriptedServer.getAnswer(
                            new Response.GetOk(get.path(), body.length, digest(body), 0), body));
                });
                DigestJournal journal = DigestJournal.openLazily(local.resolve("journal-" + limits.pipeline()))) {
            new Batch(
                            () -> FtClient.connect(HostPort.parse(old.address())),
                            new Batch.Options(1, 0, Duration.ZERO, false, false, true),
                            journal,
                            t -> new Progress() {},
                            outcomes::add)
                    .run(transfers);
            assertThat(outcomes)
                    .hasSize(10)
                    .allSatisfy(o -> assertThat(o.failed()).isFalse());
            for (Map.Entry<String, byte[]> e : files.entrySet()) {
                assertThat(Files.readAllBytes(out.resolve(e.getKey()))).isEqualTo(e.getValue());
            }
            return old.requestsSentAhead();
        }
    }

    private static Md5 digest(byte[] bytes) {
        try {
            return Md5.of(java.security.MessageDigest.getInstance("MD5").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}

package ft.client;

import static org.assertj.core.api.Assertions.assertThat;

import ft.protocol.HostPort;
import ft.server.FtServer;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The MD5 pass over a local file tells the transfer's Progress how far it is, up to the file's size. */
class HashingProgressTest {
    private static final int SIZE = 3 << 20; // several of Body's 256 KiB buffers: several reports

    @TempDir
    Path tmp;

    private FtServer server;
    private Path file;
    private final List<long[]> hashed = new ArrayList<>();
    private final Progress recording = new Progress() {
        @Override
        public synchronized void hashing(String label, long done, long total) {
            hashed.add(new long[] {done, total});
        }
    };

    @BeforeEach
    void start() throws Exception {
        server = FtServer.start(Files.createDirectories(tmp.resolve("root")), new InetSocketAddress("127.0.0.1", 0));
        byte[] data = new byte[SIZE];
        new Random(7).nextBytes(data);
        file = Files.write(tmp.resolve("big.bin"), data);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private FtClient connect() throws FtException {
        return FtClient.connect(new HostPort("127.0.0.1", server.address().getPort()));
    }

    private void assertReportedUpToTheSize() {
        assertThat(hashed).hasSizeGreaterThan(1);
        assertThat(hashed).allSatisfy(r -> assertThat(r[1]).isEqualTo(SIZE));
        assertThat(hashed.stream().mapToLong(r -> r[0])).isSorted();
        assertThat(hashed.getLast()[0]).isEqualTo(SIZE);
    }

    @Test
    void aBatchPutReportsTheJournalsHashingPass() throws Exception {
        List<Outcome> outcomes = new ArrayList<>();
        try (DigestJournal journal = DigestJournal.open(tmp.resolve("journal.jsonl"))) {
            new Batch(
                            this::connect,
                            new Batch.Options(1, 0, Duration.ZERO, false, false, true),
                            journal,
                            t -> recording,
                            outcomes::add)
                    .run(List.of(Transfer.put(file, "big.bin")));
        }
        assertThat(outcomes)
                .singleElement()
                .satisfies(o -> assertThat(o.failed()).as(o.message()).isFalse());
        assertReportedUpToTheSize();
    }

    @Test
    void anUploadWithoutAKnownDigestReportsItsOwnHashingPass() throws Exception {
        try (FtClient client = connect()) {
            new ResumableUpload(client, recording).upload(file, "direct.bin");
        }
        assertReportedUpToTheSize();
    }
}

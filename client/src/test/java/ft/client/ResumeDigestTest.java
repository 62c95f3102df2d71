package ft.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ft.protocol.HostPort;
import ft.protocol.Md5;
import ft.protocol.Request;
import ft.protocol.Response;
import ft.testing.ScriptedServer;
import ft.testing.ScriptedServer.Reply;
import ft.transfer.Md5State;
import ft.transfer.WriteBehind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A download resumes from the MD5 state saved with its partial ({@code md5_state} in the meta)
 * and reads back only the bytes after it; a state it cannot use makes it hash the partial
 * whole, as before; a cut transfer leaves the state of exactly the bytes it wrote.
 */
class ResumeDigestTest {
    private static final int MIB = 1 << 20;

    @TempDir
    Path tmp;

    private final byte[] data = new byte[3 * MIB + 777];
    private Md5 dataMd5;

    @BeforeEach
    void setUp() throws Exception {
        // Without the opened JDK package nothing here could pass: say so instead of skipping.
        assertThat(Md5State.canSaveState())
                .as("--add-opens java.base/sun.security.provider")
                .isTrue();
        new Random(15).nextBytes(data);
        dataMd5 = Md5.of(MessageDigest.getInstance("MD5").digest(data));
    }

    /** Records what the download reports as hashing the partial: (done, total) pairs. */
    private static final class Hashing implements Progress {
        final List<long[]> calls = new CopyOnWriteArrayList<>();

        @Override
        public void hashing(String label, long done, long total) {
            calls.add(new long[] {done, total});
        }
    }

    /** Answers each get like an ft server for {@link #data}: from the asked offset, then closes. */
    private ScriptedServer serving(byte[] file, Md5 md5) throws Exception {
        return new ScriptedServer(request -> {
            if (!(request instanceof Request.Get g)) {
                return Reply.thenClose(new byte[0]);
            }
            int offset = g.ifMd5() != null && g.ifMd5().equals(md5) ? (int) g.offset() : 0;
            return Reply.thenClose(ScriptedServer.getAnswer(
                    new Response.GetOk("x.bin", file.length, md5, offset),
                    Arrays.copyOfRange(file, offset, file.length)));
        });
    }

    private static byte[] stateOf(byte[] bytes, int length) {
        Md5State md5 = Md5State.create();
        md5.update(bytes, 0, length);
        return md5.saveState().orElseThrow();
    }

    /** A partial of {@code held} bytes of {@link #data} with a meta for {@code server}, its state as given. */
    private PartialDownload partial(ScriptedServer server, int held, String md5State) throws Exception {
        PartialDownload p = new PartialDownload(tmp.resolve("x.bin"));
        Files.write(p.data, Arrays.copyOf(data, held));
        p.write(new PartialDownload.Meta(
                HostPort.parse(server.address()).toString(), "x.bin", data.length, dataMd5.hex(), md5State));
        return p;
    }

    private ResumableDownload.Result download(ScriptedServer server, Progress progress) throws Exception {
        try (FtClient client = FtClient.connect(HostPort.parse(server.address()), Duration.ofSeconds(30))) {
            return new ResumableDownload(client, true, progress).download("x.bin", tmp.resolve("x.bin"));
        }
    }

    @Test
    void aResumeHashesOnlyTheBytesAfterTheSavedState() throws Exception {
        int held = 2 * MIB + 100;
        int checkpoint = 3 * MIB / 2 + 13;
        try (ScriptedServer server = serving(data, dataMd5)) {
            partial(server, held, HexFormat.of().formatHex(stateOf(data, checkpoint)));
            Hashing progress = new Hashing();

            ResumableDownload.Result r = download(server, progress);

            assertThat(r.resumedFrom()).isEqualTo(held);
            assertThat(r.md5()).isEqualTo(dataMd5);
            assertThat(tmp.resolve("x.bin")).hasBinaryContent(data);
            // Read back: only [checkpoint, held), the last report at the partial's end.
            assertThat(progress.calls).isNotEmpty();
            assertThat(progress.calls).allSatisfy(c -> assertThat(c[0]).isGreaterThan(checkpoint));
            assertThat(progress.calls.getLast()).containsExactly(held, held);
            assertThat(new PartialDownload(tmp.resolve("x.bin")).meta).doesNotExist();
        }
    }

    @Test
    void aStateOfOtherBytesIsCaughtByTheWholeFileCheckAndNothingIsPublished() throws Exception {
        // Proves the state is used instead of the bytes: the partial is right, the state is not.
        byte[] other = data.clone();
        other[5] ^= 1;
        try (ScriptedServer server = serving(data, dataMd5)) {
            PartialDownload p = partial(server, 2 * MIB, HexFormat.of().formatHex(stateOf(other, MIB)));

            assertThatThrownBy(() -> download(server, Progress.NONE))
                    .isInstanceOf(ChecksumException.class)
                    .hasMessageContaining("the download was discarded");

            assertThat(tmp.resolve("x.bin")).doesNotExist();
            assertThat(p.data).doesNotExist();
            assertThat(p.meta).doesNotExist();
            // The normal retry then starts over and publishes the right bytes.
            assertThat(download(server, Progress.NONE).resumedFrom()).isZero();
            assertThat(tmp.resolve("x.bin")).hasBinaryContent(data);
        }
    }

    @Test
    void aStateItCannotUseMakesItHashThePartialWholeAndStillResume() throws Exception {
        int held = 2 * MIB;
        String beyond = HexFormat.of().formatHex(stateOf(data, held + 64));
        String good = HexFormat.of().formatHex(stateOf(data, MIB + 5));
        char flipped = good.charAt(20) == '0' ? '1' : '0';
        String corrupt = good.substring(0, 20) + flipped + good.substring(21);
        for (String state : new String[] {
            null, // a meta from before states were saved
            beyond, // claims more bytes than the partial holds
            corrupt, // its checksum does not match
            good.substring(0, good.length() - 2), // cut short
            "not hex at all",
            ""
        }) {
            Files.deleteIfExists(tmp.resolve("x.bin"));
            try (ScriptedServer server = serving(data, dataMd5)) {
                partial(server, held, state);
                Hashing progress = new Hashing();

                ResumableDownload.Result r = download(server, progress);

                assertThat(r.resumedFrom()).as(String.valueOf(state)).isEqualTo(held);
                assertThat(tmp.resolve("x.bin")).hasBinaryContent(data);
                // Read back from its first bytes.
                assertThat(progress.calls.getFirst()[0])
                        .as(String.valueOf(state))
                        .isLessThanOrEqualTo(ft.transfer.Body.BUFFER_BYTES);
                assertThat(progress.calls.getLast()).containsExactly(held, held);
            }
        }
    }

    @Test
    void aCutTransferLeavesTheStateOfExactlyTheBytesWritten() throws Exception {
        // Above META_FIRST_BYTES and hashed on a second thread; below, with the meta written only when cut.
        for (int sent : new int[] {2 * MIB + 12_345, 50_001}) {
            int size = sent > MIB ? data.length : 100_000;
            byte[] file = Arrays.copyOf(data, size);
            Md5 md5 = Md5.of(MessageDigest.getInstance("MD5").digest(file));
            try (ScriptedServer server = new ScriptedServer(request -> request instanceof Request.Get
                    ? Reply.thenClose(ScriptedServer.getAnswer(
                            new Response.GetOk("x.bin", size, md5, 0), Arrays.copyOf(file, sent)))
                    : Reply.thenClose(new byte[0]))) {
                assertThatThrownBy(() -> download(server, Progress.NONE)).isInstanceOf(ConnectionException.class);
            }
            PartialDownload p = new PartialDownload(tmp.resolve("x.bin"));
            assertThat(p.length()).isEqualTo(sent);
            PartialDownload.Meta meta = p.read();
            assertThat(meta).isNotNull();
            assertThat(meta.md5()).isEqualTo(md5.hex());
            assertExactState(meta, file, sent);
            p.discard();
        }
    }

    @Test
    void theStateIsCheckpointedWhileTheBodyArrivesAndSavedExactlyWhenItIsCut() throws Exception {
        // More than one write-behind flush, then the server holds the connection without sending.
        int size = (int) WriteBehind.FLUSH_EVERY + 4 * MIB;
        int sent = (int) WriteBehind.FLUSH_EVERY + 2 * MIB + 31;
        byte[] file = new byte[size];
        new Random(16).nextBytes(file);
        Md5 md5 = Md5.of(MessageDigest.getInstance("MD5").digest(file));
        PartialDownload p = new PartialDownload(tmp.resolve("x.bin"));
        CompletableFuture<Throwable> ended;
        try (ScriptedServer server = new ScriptedServer(request -> request instanceof Request.Get
                ? Reply.thenStall(
                        ScriptedServer.getAnswer(new Response.GetOk("x.bin", size, md5, 0), Arrays.copyOf(file, sent)))
                : Reply.thenClose(new byte[0]))) {
            ended = CompletableFuture.supplyAsync(() -> {
                try {
                    download(server, Progress.NONE);
                    return null;
                } catch (Exception e) {
                    return e;
                }
            });
            // The client is still waiting for the rest: only a checkpoint can have saved a state.
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                PartialDownload.Meta m = p.read();
                return m != null && m.md5State() != null;
            });
            assertThat(ended).isNotDone();
            PartialDownload.Meta checkpoint = p.read();
            long at = Md5State.restore(HexFormat.of().parseHex(checkpoint.md5State()))
                    .orElseThrow()
                    .length();
            // Taken when the flush ran, which may be after more arrived: never beyond what was written.
            assertThat(at).isPositive().isLessThanOrEqualTo(sent);
            assertExactState(checkpoint, file, (int) at);
        } // closing the server cuts the connection
        assertThat(ended.get()).isInstanceOf(ConnectionException.class);
        assertThat(p.length()).isEqualTo(sent);
        assertExactState(p.read(), file, sent);
    }

    /** {@code meta}'s state is that of the first {@code length} bytes of {@code file}. */
    private static void assertExactState(PartialDownload.Meta meta, byte[] file, int length) throws Exception {
        assertThat(meta.md5State()).isNotNull();
        Md5State restored =
                Md5State.restore(HexFormat.of().parseHex(meta.md5State())).orElseThrow();
        assertThat(restored.length()).isEqualTo(length);
        MessageDigest expected = MessageDigest.getInstance("MD5");
        expected.update(file, 0, length);
        assertThat(restored.digest()).isEqualTo(expected.digest());
    }
}

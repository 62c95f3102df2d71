package ft.server.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ft.protocol.EntryType;
import ft.protocol.ErrorCode;
import ft.protocol.FileAttributes;
import ft.protocol.Md5;
import ft.server.RefusedException;
import ft.server.storage.Entry;
import ft.server.storage.ReadHandle;
import ft.server.storage.UploadSession;
import ft.server.storage.Version;
import ft.transfer.Body;
import ft.transfer.BoundaryDigest;
import ft.transfer.Md5State;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/**
 * What the S3 backend does beyond the storage contract, against a real S3Proxy: resuming an
 * upload on another server (and after S3 itself restarted), the cross-server lease, ft's MD5 in
 * object metadata and for foreign objects, tree moves that survive a crash, expiry of abandoned
 * uploads, and the client settings.
 */
class S3StorageFeaturesTest {
    private static final int PART = (int) S3Settings.MIN_PART_SIZE;

    private static S3Fixture fixture;
    private String bucket;
    private S3Client raw;

    @BeforeAll
    static void startS3() throws Exception {
        fixture = S3Fixture.start();
    }

    @AfterAll
    static void stopS3() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @BeforeEach
    void freshBucket() throws IOException {
        bucket = fixture.newBucket();
        raw = fixture.rawClient();
    }

    @AfterEach
    void closeStores() {
        fixture.closeStores();
        raw.close();
    }

    private S3Storage server() {
        return server(fixture.settings());
    }

    private S3Storage server(S3Settings settings) {
        return fixture.open("s3://" + bucket + "/data", settings);
    }

    // ------------------------------------------------------------------ resume

    @Test
    void anUploadCutOnOneServerResumesOnAnotherFromTheSavedBoundaryState() throws Exception {
        assertThat(Md5State.canSaveState())
                .as("the tests run with ft's --add-opens")
                .isTrue();
        byte[] content = random(2 * PART + PART / 2 + 777);
        UploadSession.Identity id = identity(content);
        FileAttributes attrs = new FileAttributes(1_700_000_000_000L, 0640);

        S3Storage first = server();
        UploadSession cut = first.openUpload("big.bin", id, attrs);
        assertThat(cut.begin(true)).isZero();
        assertThat(cut.checkpointInterval()).isEqualTo(PART);
        feed(cut, Md5State.create(), content, 0, 2 * PART + 1000); // two whole parts and a bit
        cut.close(); // the connection dropped: no checkpoint, the boundary states are what is kept

        S3Storage second = server(); // another server on the same bucket
        try (UploadSession s = second.openUpload("big.bin", id, attrs)) {
            long held = s.begin(true);
            assertThat(held).as("the two whole parts").isEqualTo(2L * PART);
            assertThat(s.held()).isEqualTo(held);
            Md5State md5 = Md5State.restore(s.digestState()).orElseThrow();
            assertThat(md5.length()).isEqualTo(held);
            feed(s, md5, content, (int) held, content.length);
            Md5 actual = Md5.of(md5.digest());
            assertThat(actual).isEqualTo(id.md5());
            s.publish(actual, UploadSession.Condition.ALWAYS);
        }
        assertThat(read(second, "big.bin")).isEqualTo(content);
        Entry e = second.stat("big.bin");
        assertThat(e.mtime()).isEqualTo(attrs.mtime());
        assertThat(e.mode()).isEqualTo(0640);
        assertThat(second.digest("big.bin", e.version(), null)).isEqualTo(id.md5());
        assertThat(raw.listMultipartUploads(b -> b.bucket(bucket)).uploads()).isEmpty();
        assertThat(keysUnder("data/.ft/uploads/"))
                .as("the sidecar goes with the upload")
                .isEmpty();
    }

    @Test
    void anUploadResumesAfterS3ItselfWasKilledAndRestarted() throws Exception {
        byte[] content = random(2 * PART + 4321);
        UploadSession.Identity id = identity(content);
        S3Storage first = server();
        UploadSession cut = first.openUpload("r.bin", id, null);
        cut.begin(true);
        Md5State md5 = Md5State.create();
        feed(cut, md5, content, 0, PART + 10);
        cut.checkpoint(md5.saveState().orElseThrow()); // waits for part 1 and its sidecar
        fixture.s3.restart(); // SIGKILL: S3Proxy keeps the unfinished upload on disk
        cut.close();

        S3Storage second = server();
        try (UploadSession s = second.openUpload("r.bin", id, null)) {
            long held = s.begin(true);
            assertThat(held).isEqualTo(PART);
            Md5State resumed = Md5State.restore(s.digestState()).orElseThrow();
            feed(s, resumed, content, PART, content.length);
            s.publish(Md5.of(resumed.digest()), UploadSession.Condition.ALWAYS);
        }
        assertThat(read(second, "r.bin")).isEqualTo(content);
    }

    @Test
    void anotherIdentitysUploadOfTheNameIsAbortedWhenANewOneBegins() throws Exception {
        byte[] one = random(PART + 100);
        byte[] two = random(PART + 200);
        S3Storage s3 = server();
        try (UploadSession s = s3.openUpload("x.bin", identity(one), null)) {
            s.begin(true);
            feed(s, Md5State.create(), one, 0, PART);
        }
        assertThat(raw.listMultipartUploads(b -> b.bucket(bucket)).uploads()).hasSize(1);
        try (UploadSession s = s3.openUpload("x.bin", identity(two), null)) {
            assertThat(s.begin(true)).isZero();
            assertThat(raw.listMultipartUploads(b -> b.bucket(bucket)).uploads())
                    .as("only the new one")
                    .hasSize(1);
            s.abort();
        }
        assertThat(raw.listMultipartUploads(b -> b.bucket(bucket)).uploads()).isEmpty();
    }

    // ------------------------------------------------------------------ lease

    @Test
    void aFileBeyondWhatTenThousandPartsCanHoldIsRefusedTooLargeBeforeAnyByte() throws Exception {
        S3Storage s = server();
        long size = S3Upload.MAX_PARTS * S3Upload.MAX_PART_SIZE + 1;
        RefusedException refused = assertThrows(() -> s.openUpload(
                "huge.bin",
                new UploadSession.Identity(size, identity(new byte[0]).md5()),
                null));
        assertThat(refused.code()).isEqualTo(ErrorCode.TOO_LARGE);
        assertThat(refused.getMessage()).contains("10000 parts");
    }

    @Test
    void aLiveLeaseMakesAnotherServerBusyAndADeadOnesLeaseIsTakenOver() throws Exception {
        S3Settings shortLease = fixture.settings().withLease(Duration.ofSeconds(3));
        byte[] content = random(PART + 10);
        UploadSession.Identity id = identity(content);
        S3Storage first = server(shortLease);
        S3Storage second = server(shortLease);

        UploadSession holding = first.openUpload("l.bin", id, null);
        holding.begin(true);
        RefusedException busy = assertThrows(() -> second.openUpload("l.bin", id, null));
        assertThat(busy.code()).isEqualTo(ErrorCode.BUSY);
        assertThat(busy.getMessage()).contains("another server");
        // A person told BUSY learns how long a dead server's claim could still hold the name.
        assertThat(busy.getMessage()).containsPattern("claim lapses within [1-3] s");
        // The heartbeat keeps a live server's lease beyond its 3 s.
        await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(10)).until(() -> busy(second, "l.bin", id));
        // The same server: its own path locks decide, the lease does not refuse.
        first.openUpload("l.bin", id, null).close();

        first.close(); // dies: no release, no heartbeat
        assertThat(busy(second, "l.bin", id)).as("not before the lease expired").isTrue();
        UploadSession[] taken = new UploadSession[1];
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            try {
                taken[0] = second.openUpload("l.bin", id, null);
                return true;
            } catch (RefusedException e) {
                return false;
            }
        });
        try (UploadSession s = taken[0]) {
            assertThat(s.begin(true)).isZero();
            feed(s, Md5State.create(), content, 0, content.length);
            s.publish(id.md5(), UploadSession.Condition.ALWAYS);
        }
        assertThat(read(second, "l.bin")).isEqualTo(content);
    }

    @Test
    void aServerThatLostItsLeaseCannotCompleteItsUpload() throws Exception {
        S3Settings shortLease = fixture.settings().withLease(Duration.ofSeconds(1));
        byte[] content = random(PART + 10);
        UploadSession.Identity id = identity(content);
        S3Storage first = server(shortLease);
        UploadSession stale = first.openUpload("s.bin", id, null);
        stale.begin(false);
        feed(stale, Md5State.create(), content, 0, content.length);
        // Another server takes over, as if this one had stalled past its lease.
        String leaseKey = "data/.ft/leases/" + S3Storage.sha256("data/s.bin");
        raw.putObject(
                b -> b.bucket(bucket).key(leaseKey),
                RequestBody.fromString("{\"owner\":\"someone-else\",\"key\":\"data/s.bin\",\"expires\":"
                        + (System.currentTimeMillis() + 60_000) + "}"));
        assertThatThrownBy(() -> stale.publish(id.md5(), UploadSession.Condition.ALWAYS))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("another server took over");
        stale.close();
        assertThat(first.head("data/s.bin")).isNull();
    }

    // ------------------------------------------------------------------ MD5s

    @Test
    void ftsMd5IsInTheMetadataAndDigestNeverReadsTheBody() throws Exception {
        S3Storage s3 = server();
        List<String> gets = gets(s3);
        byte[] small = bytes("small file");
        byte[] big = random(PART + 5);
        put(s3, "small.txt", small);
        put(s3, "big.bin", big);
        HeadObjectResponse h = raw.headObject(b -> b.bucket(bucket).key("data/big.bin"));
        assertThat(h.metadata()).containsEntry("ft-md5", md5(big).hex());
        assertThat(h.eTag()).as("a multipart ETag is not the MD5").doesNotContain(md5(big).hex());
        gets.clear();
        assertThat(s3.digest("small.txt", s3.stat("small.txt").version(), null)).isEqualTo(md5(small));
        assertThat(s3.digest("big.bin", s3.stat("big.bin").version(), null)).isEqualTo(md5(big));
        assertThat(gets).isEmpty();
    }

    @Test
    void aForeignObjectsMd5IsComputedOnceAndPersisted() throws Exception {
        byte[] content = random(300_000);
        raw.putObject(b -> b.bucket(bucket).key("data/foreign.bin"), RequestBody.fromBytes(content));
        S3Storage s3 = server();
        List<String> gets = gets(s3);
        Version v = s3.stat("foreign.bin").version();
        assertThat(s3.digest("foreign.bin", v, null)).isEqualTo(md5(content));
        assertThat(gets).containsExactly("data/foreign.bin");
        gets.clear();
        // Another server, same bucket: the persisted digest, not the body.
        S3Storage other = server();
        List<String> otherGets = gets(other);
        assertThat(other.digest("foreign.bin", v, null)).isEqualTo(md5(content));
        assertThat(otherGets).doesNotContain("data/foreign.bin");
        // Replaced: a new ETag, hashed again.
        byte[] changed = random(1000);
        raw.putObject(b -> b.bucket(bucket).key("data/foreign.bin"), RequestBody.fromBytes(changed));
        otherGets.clear();
        assertThat(other.digest("foreign.bin", other.stat("foreign.bin").version(), null))
                .isEqualTo(md5(changed));
        assertThat(otherGets).contains("data/foreign.bin");
    }

    // ------------------------------------------------------------------ tree moves

    @Test
    void anInterruptedTreeMoveLosesNothingAndARerunFinishesIt() throws Exception {
        S3Storage s3 = server();
        List<String> files = List.of("t/a.txt", "t/b.txt", "t/sub/c.txt", "t/sub/d.txt", "t/e.txt");
        for (String f : files) {
            put(s3, f, bytes(f));
        }
        s3.makeDirectory("u", false);
        AtomicInteger crashes = new AtomicInteger();
        s3.shared().treeMoveCopied = n -> {
            if (n == 2) {
                crashes.incrementAndGet();
                throw new IllegalStateException("crash after 2 copies");
            }
        };
        assertThatThrownBy(() -> s3.move("t", "u")).hasMessageContaining("crash");
        assertThat(crashes).hasValue(1);
        for (String f : files) {
            String moved = "u/" + f;
            boolean there = exists(s3, f) || exists(s3, moved);
            assertThat(there).as(f + " is at one place or both").isTrue();
        }
        assertThat(exists(s3, "u/t/a.txt") || exists(s3, "u/t/b.txt")).isTrue();

        s3.shared().treeMoveCopied = n -> {};
        s3.move("t", "u"); // the rerun: finishes, does not move t into u/t/t
        for (String f : files) {
            assertThat(read(s3, "u/" + f)).isEqualTo(bytes(f));
            assertThat(raw.headObject(b -> b.bucket(bucket).key("data/u/" + f)).metadata())
                    .as("CopyObject keeps ft's metadata")
                    .containsEntry("ft-md5", md5(bytes(f)).hex());
        }
        assertThat(exists(s3, "t")).isFalse();
        assertThat(exists(s3, "u/t/t")).isFalse();
        assertThat(keysUnder("data/.ft/moves/")).isEmpty();
        assertThat(s3.list("", null, 100).entries().stream().map(Entry::name)).containsExactly("u");
    }

    // ------------------------------------------------------------------ expiry

    @Test
    void expireUploadsAbortsOldUploadsAndTheirSidecars() throws Exception {
        S3Storage s3 = server();
        byte[] content = random(PART + 10);
        try (UploadSession s = s3.openUpload("old.bin", identity(content), null)) {
            s.begin(true);
            Md5State md5 = Md5State.create();
            feed(s, md5, content, 0, PART);
            s.checkpoint(md5.saveState().orElseThrow());
        }
        assertThat(s3.expireUploads(Duration.ofHours(1))).isZero();
        assertThat(raw.listMultipartUploads(b -> b.bucket(bucket)).uploads()).hasSize(1);
        assertThat(keysUnder("data/.ft/uploads/")).hasSize(1);

        assertThat(s3.expireUploads(Duration.ZERO)).isEqualTo(1);
        assertThat(raw.listMultipartUploads(b -> b.bucket(bucket)).uploads()).isEmpty();
        assertThat(keysUnder("data/.ft/uploads/")).isEmpty();
        try (UploadSession s = s3.openUpload("old.bin", identity(content), null)) {
            assertThat(s.begin(true)).as("nothing left to resume").isZero();
            s.abort();
        }
    }

    // ------------------------------------------------------------------ conditional publish of multipart uploads

    @Test
    void conditionsHoldForMultipartUploadsToo() throws Exception {
        S3Storage s3 = server();
        byte[] first = random(PART + 1);
        byte[] second = random(PART + 2);
        put(s3, "c.bin", first);
        Version seen = s3.stat("c.bin").version();
        try (UploadSession s = s3.openUpload("c.bin", identity(second), null)) {
            s.begin(false);
            feed(s, Md5State.create(), second, 0, second.length);
            RefusedException e = assertThrows(() -> s.publish(md5(second), UploadSession.Condition.CREATE_ONLY));
            assertThat(e.code()).isEqualTo(ErrorCode.EXISTS);
        }
        assertThat(read(s3, "c.bin")).isEqualTo(first);
        put(s3, "c.bin", random(PART + 3)); // changes the version seen
        try (UploadSession s = s3.openUpload("c.bin", identity(second), null)) {
            s.begin(false);
            feed(s, Md5State.create(), second, 0, second.length);
            RefusedException e =
                    assertThrows(() -> s.publish(md5(second), new UploadSession.Condition.IfVersion(seen)));
            assertThat(e.code()).isEqualTo(ErrorCode.BUSY);
        }
        Version now = s3.stat("c.bin").version();
        try (UploadSession s = s3.openUpload("c.bin", identity(second), null)) {
            s.begin(false);
            feed(s, Md5State.create(), second, 0, second.length);
            s.publish(md5(second), new UploadSession.Condition.IfVersion(now));
        }
        assertThat(read(s3, "c.bin")).isEqualTo(second);
        assertThat(raw.listMultipartUploads(b -> b.bucket(bucket)).uploads()).isEmpty();
    }

    // ------------------------------------------------------------------ settings

    @Test
    void pathStyleAndChecksumSettingsReachTheClient() throws Exception {
        byte[] big = random(PART + 99);
        for (boolean whenRequired : new boolean[] {false, true}) {
            S3Storage s3 = server(fixture.settings().withChecksumsWhenRequired(whenRequired));
            List<SdkHttpRequest> sent = new ArrayList<>();
            s3.onHttpRequest(r -> {
                synchronized (sent) {
                    sent.add(r);
                }
            });
            put(s3, "w" + whenRequired + ".txt", bytes("checksums " + whenRequired));
            put(s3, "w" + whenRequired + ".bin", big);
            assertThat(read(s3, "w" + whenRequired + ".bin")).isEqualTo(big);
            synchronized (sent) {
                assertThat(sent).allSatisfy(r -> assertThat(r.encodedPath()).startsWith("/" + bucket));
                boolean crc = sent.stream()
                        .anyMatch(r -> r.headers().keySet().stream()
                                .anyMatch(h ->
                                        h.toLowerCase(java.util.Locale.ROOT).startsWith("x-amz-checksum-")
                                                || h.equalsIgnoreCase("x-amz-trailer")
                                                || h.equalsIgnoreCase("x-amz-sdk-checksum-algorithm")));
                assertThat(crc)
                        .as("CRC checksums sent with checksumsWhenRequired=" + whenRequired)
                        .isEqualTo(!whenRequired);
            }
        }
    }

    @Test
    void pathStyleDecidesWhereTheBucketGoes() throws Exception {
        // Not with 127.0.0.1: the SDK addresses an IP endpoint path-style whatever the setting.
        java.net.URI byName =
                java.net.URI.create("http://localhost:" + fixture.s3.endpoint().getPort());
        for (boolean pathStyle : new boolean[] {true, false}) {
            S3Storage s3 = server(fixture.settings().withEndpoint(byName).withPathStyle(pathStyle));
            List<SdkHttpRequest> sent = java.util.Collections.synchronizedList(new ArrayList<>());
            s3.onHttpRequest(sent::add);
            try {
                s3.probe();
            } catch (IOException virtualHostUnreachable) {
                // bucket.localhost may not resolve here: what was sent is what counts
            }
            assertThat(sent).isNotEmpty();
            SdkHttpRequest first = sent.get(0);
            if (pathStyle) {
                assertThat(first.host()).isEqualTo("localhost");
                assertThat(first.encodedPath()).startsWith("/" + bucket);
            } else {
                assertThat(first.host()).isEqualTo(bucket + ".localhost");
            }
        }
    }

    @Test
    void theStatePrefixIsNeitherListedNorReachable() throws Exception {
        S3Storage s3 = server();
        byte[] content = random(PART + 10);
        try (UploadSession s = s3.openUpload("p.bin", identity(content), null)) {
            s.begin(true);
            Md5State md5 = Md5State.create();
            feed(s, md5, content, 0, PART);
            s.checkpoint(md5.saveState().orElseThrow());
        }
        assertThat(keysUnder("data/.ft/")).isNotEmpty();
        assertThat(s3.list("", null, 100).entries()).isEmpty();
        RefusedException e = assertThrows(() -> s3.stat(".ft/uploads"));
        assertThat(e.code()).isEqualTo(ErrorCode.ACCESS_DENIED);
        S3Storage ann = s3.userRoot("users/ann");
        put(ann, ".ft", bytes("a user's own file may be called .ft"));
        assertThat(ann.stat(".ft").type()).isEqualTo(EntryType.FILE);
        assertThat(raw.headObject(b -> b.bucket(bucket).key("data/users/ann/.ft"))
                        .contentLength())
                .isPositive();
        assertThatThrownBy(() -> s3.userRoot("../x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> s3.userRoot("/abs")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> s3.userRoot("a//b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> s3.userRoot("")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aReadHandleKeepsOneStreamForSequentialReadsAndReopensElsewhere() throws Exception {
        S3Storage s3 = server();
        byte[] content = random(1_000_000);
        put(s3, "seq.bin", content);
        List<String> gets = gets(s3);
        Entry e = s3.stat("seq.bin");
        try (ReadHandle h = s3.openRead("seq.bin", e.version(), 0)) {
            ByteBuffer buf = ByteBuffer.allocate(content.length);
            while (buf.hasRemaining() && h.read(buf, buf.position()) >= 0) {}
            assertThat(buf.array()).isEqualTo(content);
            assertThat(gets).hasSize(1);
            ByteBuffer tail = ByteBuffer.allocate(10);
            h.read(tail, 500_000);
            assertThat(Arrays.copyOf(tail.array(), tail.position()))
                    .isEqualTo(Arrays.copyOfRange(content, 500_000, 500_000 + tail.position()));
            assertThat(gets).hasSize(2);
        }
    }

    // ------------------------------------------------------------------ helpers

    /** Feeds content[from, to) as ReceiveUpload does: hashed through the session's boundary digest, then written. */
    static void feed(UploadSession s, Md5State md5, byte[] content, int from, int to) throws IOException {
        MessageDigest digest =
                s.checkpointInterval() > 0 ? new BoundaryDigest(md5, s.checkpointInterval(), s::digestAt) : md5;
        WritableByteChannel out = s.channel();
        for (int off = from; off < to; ) {
            int n = Math.min(64 * 1024, to - off);
            digest.update(content, off, n);
            ByteBuffer b = ByteBuffer.wrap(content, off, n);
            while (b.hasRemaining()) {
                out.write(b);
            }
            off += n;
        }
    }

    private static void put(S3Storage s3, String path, byte[] content) throws Exception {
        try (UploadSession s = s3.openUpload(path, identity(content), null)) {
            s.begin(false);
            feed(s, Md5State.create(), content, 0, content.length);
            s.publish(md5(content), UploadSession.Condition.ALWAYS);
        }
    }

    private static byte[] read(S3Storage s3, String path) throws Exception {
        Entry e = s3.stat(path);
        try (ReadHandle h = s3.openRead(path, e.version(), 0)) {
            ByteBuffer buf = ByteBuffer.allocate((int) e.size());
            while (buf.hasRemaining() && h.read(buf, buf.position()) >= 0) {}
            return buf.array();
        }
    }

    private static boolean exists(S3Storage s3, String path) throws IOException {
        try {
            s3.stat(path);
            return true;
        } catch (RefusedException e) {
            return false;
        }
    }

    private static boolean busy(S3Storage s3, String path, UploadSession.Identity id) throws IOException {
        try {
            s3.openUpload(path, id, null).close();
            return false;
        } catch (RefusedException e) {
            return e.code() == ErrorCode.BUSY;
        }
    }

    /** The keys of every GetObject this store sends from now on. */
    private static List<String> gets(S3Storage s3) {
        List<String> keys = java.util.Collections.synchronizedList(new ArrayList<>());
        s3.onRequestKey((op, key) -> {
            if (op.equals("GetObject") && !key.contains("/.ft/")) {
                keys.add(key);
            }
        });
        return keys;
    }

    private List<String> keysUnder(String prefix) {
        return raw.listObjectsV2(b -> b.bucket(bucket).prefix(prefix)).contents().stream()
                .map(o -> o.key())
                .toList();
    }

    @FunctionalInterface
    interface Call {
        void run() throws Exception;
    }

    private static RefusedException assertThrows(Call call) {
        try {
            call.run();
        } catch (RefusedException e) {
            return e;
        } catch (Exception e) {
            throw new AssertionError("expected a refusal, got " + e, e);
        }
        throw new AssertionError("expected a refusal, got none");
    }

    private static UploadSession.Identity identity(byte[] content) {
        return new UploadSession.Identity(content.length, md5(content));
    }

    private static Md5 md5(byte[] content) {
        return Md5.of(Body.newMd5().digest(content));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static final Map<Integer, byte[]> RANDOM = new ConcurrentHashMap<>();

    private static byte[] random(int n) {
        return RANDOM.computeIfAbsent(n, k -> {
            byte[] b = new byte[k];
            new Random(k).nextBytes(b);
            return b;
        });
    }
}

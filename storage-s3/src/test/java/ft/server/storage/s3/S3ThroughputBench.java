package ft.server.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;

import ft.protocol.Md5;
import ft.server.storage.Entry;
import ft.server.storage.ReadHandle;
import ft.server.storage.UploadSession;
import ft.transfer.Body;
import ft.transfer.BoundaryDigest;
import ft.transfer.Md5State;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Not a test (surefire's default includes leave it out): a measurement, run by hand with
 * {@code mvn -pl storage-s3 -am verify -Dtest=S3ThroughputBench -Dsurefire.failIfNoSpecifiedTests=false}.
 * Puts and gets one file ({@code -Dbench.mib=1024}) through S3Storage against a local S3Proxy,
 * then the same with the AWS CLI ({@code aws s3 cp}, plus md5sum for the get), and prints the
 * times and ratios. Asserts only that the bytes arrived whole.
 */
class S3ThroughputBench {
    private static final String AWS = System.getProperty("bench.aws", "/usr/bin/aws");

    @Test
    void putAndGetAgainstTheAwsCli() throws Exception {
        int mib = Integer.getInteger("bench.mib", 1024);
        int rounds = Integer.getInteger("bench.rounds", 2);
        long size = (long) mib << 20;
        Path dir = Files.createTempDirectory("ft-s3-bench-");
        Path file = dir.resolve("data.bin");
        Md5 md5 = writeRandom(file, size);
        try (S3Fixture fixture = S3Fixture.start()) {
            String bucket = fixture.newBucket();
            S3Settings settings = fixture.settings().withPartSize(S3Settings.DEFAULT_PART_SIZE);
            S3Storage s3 = fixture.open("s3://" + bucket, settings);
            List<String> rows = new ArrayList<>();
            for (int round = 1; round <= rounds; round++) {
                long ftPut = time(() -> put(s3, "ft.bin", file, size, md5));
                long ftGet = time(() -> assertThat(get(s3, "ft.bin")).isEqualTo(md5));
                long cliPut =
                        time(() -> aws(fixture, "s3", "cp", "--quiet", file.toString(), "s3://" + bucket + "/cli.bin"));
                Path back = dir.resolve("back.bin");
                long cliGet = time(() -> {
                    aws(fixture, "s3", "cp", "--quiet", "s3://" + bucket + "/cli.bin", back.toString());
                    String sum = run("md5sum", back.toString()).split(" ")[0];
                    assertThat(sum).isEqualTo(md5.hex());
                });
                Files.delete(back);
                rows.add(String.format(
                        Locale.ROOT,
                        "round %d, %d MiB: put ft %.2f s, aws %.2f s, ratio %.2f; get+md5 ft %.2f s, aws+md5sum %.2f s,"
                                + " ratio %.2f",
                        round,
                        mib,
                        ftPut / 1e9,
                        cliPut / 1e9,
                        (double) ftPut / cliPut,
                        ftGet / 1e9,
                        cliGet / 1e9,
                        (double) ftGet / cliGet));
            }
            rows.forEach(r -> System.out.println("S3BENCH " + r));
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
    }

    @FunctionalInterface
    interface Work {
        void run() throws Exception;
    }

    private static long time(Work w) throws Exception {
        long t0 = System.nanoTime();
        w.run();
        return System.nanoTime() - t0;
    }

    private static Md5 writeRandom(Path file, long size) throws IOException {
        MessageDigest md5 = Body.newMd5();
        byte[] block = new byte[1 << 20];
        Random r = new Random(42);
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            for (long done = 0; done < size; done += block.length) {
                r.nextBytes(block);
                md5.update(block);
                ByteBuffer b = ByteBuffer.wrap(block);
                while (b.hasRemaining()) {
                    out.write(b);
                }
            }
        }
        return Md5.of(md5.digest());
    }

    /** As the server receives: hashed (saving states at part boundaries), written to the session. */
    private static void put(S3Storage s3, String path, Path file, long size, Md5 md5) throws Exception {
        try (UploadSession s = s3.openUpload(path, new UploadSession.Identity(size, md5), null);
                FileChannel in = FileChannel.open(file)) {
            s.begin(false);
            Md5State state = Md5State.create();
            MessageDigest digest = new BoundaryDigest(state, s.checkpointInterval(), s::digestAt);
            WritableByteChannel out = s.channel();
            ByteBuffer buf = ByteBuffer.allocate(1 << 20);
            while (in.read(buf) > 0) {
                buf.flip();
                digest.update(buf.duplicate());
                while (buf.hasRemaining()) {
                    out.write(buf);
                }
                buf.clear();
            }
            s.publish(Md5.of(state.digest()), UploadSession.Condition.ALWAYS);
        }
    }

    /** As a client verifying what it got: read sequentially and hashed. */
    private static Md5 get(S3Storage s3, String path) throws Exception {
        Entry e = s3.stat(path);
        MessageDigest md5 = Body.newMd5();
        try (ReadHandle h = s3.openRead(path, e.version(), 0)) {
            ByteBuffer buf = ByteBuffer.allocate(1 << 20);
            long position = 0;
            while (position < e.size()) {
                buf.clear();
                int n = h.read(buf, position);
                if (n < 0) {
                    break;
                }
                buf.flip();
                md5.update(buf);
                position += n;
            }
        }
        return Md5.of(md5.digest());
    }

    private static void aws(S3Fixture fixture, String... args) throws Exception {
        List<String> command = new ArrayList<>(
                List.of(AWS, "--endpoint-url", fixture.s3.endpoint().toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("AWS_ACCESS_KEY_ID", fixture.s3.accessKey());
        pb.environment().put("AWS_SECRET_ACCESS_KEY", fixture.s3.secretKey());
        pb.environment().put("AWS_DEFAULT_REGION", "us-east-1");
        pb.environment().put("AWS_ENDPOINT_URL", fixture.s3.endpoint().toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IOException("aws " + String.join(" ", args) + " failed: " + out);
        }
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }
}
